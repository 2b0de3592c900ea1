// Large files parse in a Web Worker: the page shows progress (bytes and
// spans), stays responsive, and a load can be cancelled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, dropFiles, fixture, summary, watchFrames, ROOT } from './harness.mjs';
import { generateOtlp } from './generate.mjs';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

/** Generates a file in the page and drops it there; returns its counts. */
async function dropGenerated(page, mb, name) {
  return page.evaluate(`(() => {
    const made = (${generateOtlp})({ mb: ${mb} });
    const dt = new DataTransfer();
    dt.items.add(new File([made.parts.join('')], ${JSON.stringify(name)}, { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
    return { spans: made.spans, traces: made.traces };
  })()`);
}

/** Records every text the progress line shows (each shows for ~50 ms). */
function watchProgress() {
  window.__progress = [];
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid=progress-detail]');
    const text = el?.textContent;
    if (text && text !== window.__progress.at(-1)) window.__progress.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
  let last = performance.now();
  const frame = (now) => {
    window.__maxFrameGap = Math.max(window.__maxFrameGap, now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

test('a 60 MB file parses in a worker, with bytes and spans as it goes', async (t) => {
  const page = await app.open();
  await page.evaluate(watchProgress);
  const made = await dropGenerated(page, 60, 'big.otlp.json');
  await watchFrames(page); // from the drop on, not the file's generation
  await summary(page, `${made.traces} traces · 0 failed · ${made.spans} spans · 0 LM calls`);
  const seen = await page.evaluate(() => window.__progress);
  const gap = await page.evaluate(() => window.__maxFrameGap);
  t.diagnostic(`progress lines: ${seen.length}; longest gap between frames: ${gap.toFixed(0)} ms`);
  assert.ok(seen.some((s) => s.startsWith('reading big.otlp.json')), seen.join(' | '));
  const parsing = seen.filter((s) => / MB of 6\d(\.\d)? MB · \d+ spans$/.test(s));
  assert.ok(parsing.length >= 1, `no byte progress in: ${seen.join(' | ')}`);
  const counts = parsing.map((s) => Number(s.match(/(\d+) spans$/)[1]));
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'span counts only grow');
  assert.ok(seen.includes(`indexing ${made.spans} spans`), seen.join(' | '));
  await page.getByTestId('progress').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('cancel stops a load and keeps what was on screen', async () => {
  const page = await app.open();
  await dropFiles(page, [fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json')]);
  const before = await summary(page, 'traces');
  await page.evaluate(watchProgress);
  await dropGenerated(page, 120, 'huge.otlp.json');
  // A drop while a file is loaded asks first: replace it.
  await page.getByTestId('open-replace').click();
  // Parsing has begun: the page renders the worker's progress. (Checked on
  // every frame: each progress line shows for ~50 ms only.)
  await page.waitForFunction(() => window.__progress.some((s) => / MB of /.test(s)), null, { polling: 'raf' });
  assert.equal(page.workers().length, 1, 'the parse runs in one worker');
  await page.getByTestId('cancel-load').click();
  await page.getByTestId('progress').waitFor({ state: 'detached' });
  // The worker is gone and nothing arrives late.
  while (page.workers().length > 0) await page.waitForTimeout(50);
  await page.waitForTimeout(1500);
  assert.equal(await summary(page), before);
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('#url= shows the download, then the parse, and loads the file', async () => {
  const made = generateOtlp({ mb: 20 });
  const dir = join(ROOT, 'dist', 'e2e-fixtures');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'generated-20mb.otlp.json'), made.parts.join(''));
  const url = `${app.base}e2e-fixtures/generated-20mb.otlp.json`;
  const page = await app.open(`#url=${encodeURIComponent(url)}`, watchProgress);
  await summary(page, `${made.traces} traces · 0 failed · ${made.spans} spans`);
  const seen = await page.evaluate(() => window.__progress);
  assert.ok(seen.some((s) => /^downloading 20(\.\d)? MB of 20(\.\d)? MB$/.test(s)), seen.join(' | '));
  assert.ok(seen.includes(`indexing ${made.spans} spans`), seen.join(' | '));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('cancel during a #url= download aborts the request', async () => {
  const page = await app.open();
  const url = `${app.base}e2e-fixtures/slow-trace.json`;
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(url, async (route) => {
    await held; // the server "takes forever" until the test lets go
    await route.fulfill({ status: 200, body: '{}' }).catch(() => {});
  });
  const aborted = page.waitForEvent('requestfailed', (r) => r.url() === url);
  await page.evaluate((u) => { location.hash = `url=${encodeURIComponent(u)}`; location.reload(); }, url);
  await page.locator('html[data-spanscope=ready]').waitFor({ state: 'attached' });
  await page.getByTestId('cancel-load').click();
  const failure = (await aborted).failure()?.errorText ?? '';
  assert.match(failure, /ABORTED/i);
  release();
  await page.getByTestId('progress').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  await page.getByTestId('drop-zone').waitFor();
  await page.close();
});
