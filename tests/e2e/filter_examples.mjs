// Trace files made for the README's filter examples: small enough to count
// by hand, each example finds something. Self-contained (no imports), like
// generate.mjs. Returns [{ name, text }] and, per example, the traces and
// matching spans the page must list.
//
// OTLP JSON (OpenInference attributes), three traces:
//   A  Agent.forward (chain, 0–3 s) > completion (llm, 0.5–3 s, ERROR,
//      gpt-4o-mini, openai, 1800 + 200 tokens, $0.02) and Retrieve.forward
//      (retriever, input "refund policy for damaged items")
//   B  Predict(StringSignature).forward (chain, input "What is the refund
//      policy?") > completion (llm, 1 s, claude-3-5-sonnet, anthropic,
//      500 + 100 tokens, $0.004)
//   C  Classify.forward (chain) > completion (llm, 1.2 s, gpt-4o, openai,
//      300 + 20 tokens, $0.001)
// MLflow trace JSON, one trace tagged compiled=true with three spans.
export function filterExampleFiles() {
  const t0 = 1700000000000; // ms
  const ns = (ms) => `${BigInt(t0 + ms) * 1000000n}`;
  const attr = (key, v) => ({ key, value: typeof v === 'number' ? (Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }) : { stringValue: v } });
  const span = (trace, id, parent, name, kind, from, to, attrs, error) => ({
    traceId: trace, spanId: id, parentSpanId: parent, name, kind: 1,
    startTimeUnixNano: ns(from), endTimeUnixNano: ns(to),
    attributes: [attr('openinference.span.kind', kind), ...attrs],
    status: error ? { code: 2, message: 'rate limited' } : {},
  });
  const lm = (model, provider, input, output, cost) => [
    attr('llm.model_name', model), attr('llm.provider', provider),
    attr('llm.token_count.prompt', input), attr('llm.token_count.completion', output),
    attr('llm.cost.total', cost),
  ];
  const A = 'a'.repeat(32), B = 'b'.repeat(32), C = 'c'.repeat(32);
  const spans = [
    span(A, 'a000000000000001', '', 'Agent.forward', 'CHAIN', 0, 3000, [attr('input.value', 'Where is my order?')]),
    span(A, 'a000000000000002', 'a000000000000001', 'completion', 'LLM', 500, 3000, lm('gpt-4o-mini', 'openai', 1800, 200, 0.02), true),
    span(A, 'a000000000000003', 'a000000000000001', 'Retrieve.forward', 'RETRIEVER', 10, 400, [attr('input.value', 'refund policy for damaged items')]),
    span(B, 'b000000000000001', '', 'Predict(StringSignature).forward', 'CHAIN', 5000, 6100, [attr('input.value', 'What is the refund policy?')]),
    span(B, 'b000000000000002', 'b000000000000001', 'completion', 'LLM', 5050, 6050, lm('claude-3-5-sonnet', 'anthropic', 500, 100, 0.004)),
    span(C, 'c000000000000001', '', 'Classify.forward', 'CHAIN', 9000, 10300, [attr('input.value', 'Is this spam?')]),
    span(C, 'c000000000000002', 'c000000000000001', 'completion', 'LLM', 9050, 10250, lm('gpt-4o', 'openai', 300, 20, 0.001)),
  ];
  const otlp = { resourceSpans: [{ resource: { attributes: [attr('service.name', 'support-bot')] }, scopeSpans: [{ scope: { name: 'openinference.instrumentation.dspy' }, spans }] }] };
  // MLflow Trace.to_json(): info tags become trace metadata.
  const b64 = (hex) => btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));
  const D = 'd'.repeat(32);
  const mlspan = (id, parent, name, type, from, to) => ({
    trace_id: b64(D), span_id: b64(id), parent_span_id: parent ? b64(parent) : null, name,
    start_time_unix_nano: Number(ns(from)), end_time_unix_nano: Number(ns(to)), events: [],
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: { 'mlflow.traceRequestId': JSON.stringify(`tr-${D}`), 'mlflow.spanType': JSON.stringify(type) },
  });
  const mlflow = {
    info: {
      trace_id: `tr-${D}`, request_time: '2023-11-14T22:13:40.000Z', state: 'OK',
      trace_metadata: { 'mlflow.trace_schema.version': '3' }, tags: { compiled: 'true', 'mlflow.traceName': 'RAG.forward' },
    },
    data: {
      spans: [
        mlspan('d000000000000001', null, 'RAG.forward', 'CHAIN', 20000, 20800),
        mlspan('d000000000000002', 'd000000000000001', 'Retrieve.forward', 'RETRIEVER', 20010, 20060),
        mlspan('d000000000000003', 'd000000000000001', 'Predict.forward', 'CHAIN', 20070, 20790),
      ],
    },
  };
  return {
    files: [
      { name: 'filter-examples.otlp.json', text: JSON.stringify(otlp) },
      { name: 'filter-examples.mlflow.json', text: JSON.stringify(mlflow) },
    ],
    // README example → [traces, matching spans]
    expected: {
      'status:error kind:llm dur>2s': [1, 1],
      'model:gpt-4o* OR model:claude*': [3, 3],
      'kind:llm trace:(status:error)': [1, 1],
      '"refund policy" -kind:retriever': [1, 1],
      'name:Predict(StringSignature).forward': [1, 1],
      'attr.llm.provider:openai tokens>1.5k': [1, 1],
      'metadata.compiled:true': [1, 3],
      'is:lm cost>0.01': [1, 1],
    },
    totals: '4 traces · 1 failed · 10 spans',
  };
}
