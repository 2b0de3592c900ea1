// What a user sees: open the page, drop or pick a trace file, read the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start, dropFiles, fixture, summary } from './harness.mjs';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('landing page offers a drop zone, a file picker and a sample', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  assert.equal(await page.getByTestId('file-input').count(), 1);
  await page.getByTestId('sample-link').click();
  assert.equal(await summary(page, '3 traces'), '3 traces · 1 failed · 44 spans · 8 LM calls');
  assert.equal(await page.getByTestId('trace-row').count(), 3);
  assert.deepEqual(page.errors, []);
});

test('dropping an OTLP JSON file shows its counts and one row per trace', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json')]);
  assert.equal(await summary(page, '28 spans'), '4 traces · 1 failed · 28 spans · 4 LM calls');
  const rows = page.getByTestId('trace-row');
  assert.equal(await rows.count(), 4);
  // Rows carry the trace id, the root span name, start, duration and span count.
  const first = rows.first();
  assert.match(await first.getAttribute('data-trace-id'), /^[0-9a-f]{32}$/);
  assert.equal(await first.locator('.name').textContent(), 'RAG.forward');
  const cells = await first.locator(':scope > span').allTextContents();
  assert.match(cells[1], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  assert.match(cells[2], /^[\d.]+ (ns|µs|ms|s)$/);
  assert.match(cells[3], /^\d+$/);
  assert.deepEqual(page.errors, []);
});

test('picking files through the file input works too (JSON lines, several traces per line)', async () => {
  const page = await app.open();
  await page.getByTestId('file-input').setInputFiles(fixture('otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl'));
  assert.equal(await summary(page, '189 spans'), '19 traces · 3 failed · 189 spans · 31 LM calls');
  assert.equal(await page.getByTestId('trace-row').count(), 19);
});

test('a file that is not a trace gets a readable error and the page stays usable', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [fixture('bad', 'notes.md')]);
  const banner = page.getByTestId('error-banner');
  await banner.waitFor();
  const text = await banner.textContent();
  assert.match(text, /notes\.md/);
  assert.match(text, /not a trace file/);
  assert.match(text, /resourceSpans/); // says what was expected
  // Still usable: a real trace dropped next loads.
  await dropFiles(page, [fixture('otlp-json', 'dspy-classify.openinference.otlp-http-json.json')]);
  assert.equal(await summary(page, '25 spans'), '4 traces · 1 failed · 25 spans · 5 LM calls');
  assert.equal(await page.getByTestId('error-banner').count(), 0);
});

test('several files dropped together load as one session', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [
    fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json'),
    fixture('otlp-json', 'dspy-react.openinference.otlp-http-json.json'),
    fixture('bad', 'notes.md'),
  ]);
  assert.equal(await summary(page, '78 spans'), '6 traces · 1 failed · 78 spans · 12 LM calls');
  assert.match(await page.getByTestId('error-banner').textContent(), /notes\.md/);
});

test('pasting a trace anywhere on the page opens it', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  const text = readFileSync(fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json'), 'utf8');
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  assert.equal(await summary(page, '28 spans'), '4 traces · 1 failed · 28 spans · 4 LM calls');
});
