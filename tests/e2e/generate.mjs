// A synthetic OTLP JSON trace file for load and UI tests: traces of
// `perTrace` spans (a root and its children), ~0.9 kB per span unless
// `padBytes` says otherwise, until the file reaches `mb` MB or `spans` spans.
// `distinctNames`: every span gets its own name (a steps table that long).
// Self-contained (no imports, no closures), so it also runs inside the page:
// `page.evaluate(`(${generateOtlp})({ mb: 60 })`)`.
// Returns the text in parts and what the app should count.
export function generateOtlp({ mb = Infinity, spans = Infinity, perTrace = 10, padBytes = 720, distinctNames = false }) {
  const pad = 'lorem ipsum '.repeat(Math.ceil(padBytes / 12)).slice(0, padBytes);
  const hex = (n, width) => n.toString(16).padStart(width, '0');
  const parts = ['{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"gen"}}]},"scopeSpans":[{"scope":{"name":"gen"},"spans":['];
  let size = 0;
  let n = 0;
  while (size < mb * 1e6 && n < spans) {
    const root = n - (n % perTrace);
    const parent = n === root ? '' : hex(root + 1, 16);
    // Trace t starts at second t; its spans are 10 ms apart, lasting a
    // duration that varies between traces (so sorting has work to do).
    const trace = Math.floor(n / perTrace);
    const startMs = trace * 1000 + (n - root) * 10;
    const lengthMs = 5 + ((trace * 7919) % 400);
    const nanos = (ms) => `${Math.floor(ms / 1000) + 1700000000}${String(ms % 1000).padStart(3, '0')}000000`;
    const span = `{"traceId":"${hex(trace + 1, 32)}","spanId":"${hex(n + 1, 16)}","parentSpanId":"${parent}",`
      + `"name":"step ${distinctNames ? n : n - root}","kind":1,"startTimeUnixNano":"${nanos(startMs)}","endTimeUnixNano":"${nanos(startMs + lengthMs)}",`
      + `"attributes":[{"key":"input.value","value":{"stringValue":"${pad}"}}],"status":{}}`;
    parts.push(n ? `,${span}` : span);
    size += span.length + 1;
    n += 1;
  }
  parts.push(']}]}]}');
  return { parts, spans: n, traces: Math.ceil(n / perTrace) };
}
