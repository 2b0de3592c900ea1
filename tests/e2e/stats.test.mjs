// The page and the command-line tool run the same core: for real fixtures
// of several formats, the summary bar must show exactly what
// `spanscope stats --json` prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, dropFiles, fixture, summary, ROOT } from './harness.mjs';

const CLI = join(ROOT, 'target', 'release', 'spanscope');

/** Fixtures checked page-vs-CLI, one or two per format family. */
const FIXTURES = [
  ['otlp-json', 'dspy-react.openinference.otlp-http-json.json'],
  ['otlp-protojson', 'dspy-multihop.openinference.protojson.json'],
  ['otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl'],
  ['otlp-proto', 'dspy-react.otlp-http.pb'],
  ['console-exporter', 'dspy-rag.console-span-exporter.txt'],
  ['jaeger-api-v3', 'dspy-classify.find-traces.jsonl'],
  ['tempo-api', 'dspy-multihop.api-v2-traces.json'],
  ['langfuse-otlp', 'dspy-rag.langfuse-otlp.protojson.json'],
  ['zipkin-json', 'dspy-classify.zipkin-otel-exporter.json'],
  ['jaeger-json', 'public-jaeger-ui-genaiTestTrace.json'],
  ['mlflow-json', 'dspy-rag.mlflow-traces.json'],
  ['phoenix-json', 'dspy-react.phoenix-spans.json'],
  ['dspy-history', 'dspy-multihop.lm-history.json'],
  ['dspy-callback-jsonl', 'dspy-react.callback-events.jsonl'],
  ['step-jsonl', 'dspy-rag.steps.jsonl'],
  ['langfuse-api', 'handmade-trace.json'],
];

function stats(path) {
  return JSON.parse(execFileSync(CLI, ['stats', '--json', path], { encoding: 'utf8' }).trim());
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function expectedSummary(s) {
  return [plural(s.traces, 'trace', 'traces'), `${s.failed_traces} failed`, plural(s.spans, 'span', 'spans'),
    plural(s.lm_calls, 'LM call', 'LM calls')].join(' · ');
}

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

for (const [folder, file] of FIXTURES) {
  test(`summary bar equals \`spanscope stats\` for ${folder}/${file}`, async () => {
    const path = fixture(folder, file);
    const want = expectedSummary(stats(path));
    const page = await app.open();
    await page.getByTestId('drop-zone').waitFor();
    await dropFiles(page, [path]);
    assert.equal(await summary(page, want), want);
    assert.deepEqual(page.errors, []);
  });
}

test('a gzipped file is unpacked by its bytes, whatever its name', async () => {
  const path = fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json');
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-e2e-'));
  const packed = join(dir, 'trace-export.bin');
  writeFileSync(packed, gzipSync(readFileSync(path)));
  const want = expectedSummary(stats(path));
  assert.deepEqual(stats(packed).spans, stats(path).spans);
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [packed]);
  assert.equal(await summary(page, want), want);
});
