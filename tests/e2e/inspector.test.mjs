// The inspector, as a user walks it: from a dropped file to the LM call that
// went wrong, by mouse, by filter, by link and by keyboard; hostile trace
// text stays inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { start, dropFiles, fixture, summary, typeInto, ROOT } from './harness.mjs';

const CLI = join(ROOT, 'target', 'release', 'spanscope');

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

async function dropped(file) {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [file]);
  await summary(page, 'spans');
  return page;
}

test('multi-hop RAG: open the slowest trace, its LM call shows system and user messages and the model', async () => {
  const page = await dropped(fixture('otlp-json', 'dspy-multihop.openinference.otlp-http-json.json'));
  await page.getByTestId('sort-duration').click();
  const rows = page.getByTestId('trace-row');
  const durations = await rows.locator(':scope > span:nth-child(3)').allTextContents();
  assert.equal(durations.length, 3);
  await rows.first().click();
  await page.getByTestId('trace-view').waitFor();
  // The first LM call of the trace (innermost LLM span).
  await page.locator('[data-testid=span-row].lm-call').first().click();
  await page.getByTestId('tab-lm').click();
  const roles = await page.getByTestId('lm-message').evaluateAll((els) => els.map((e) => e.dataset.role));
  assert.ok(roles.includes('system'), `roles: ${roles}`);
  assert.ok(roles.includes('user'), `roles: ${roles}`);
  assert.match(await page.getByTestId('lm-facts').textContent(), /Modelgpt-4o-mini/);
  assert.deepEqual(page.errors, []);
});

test('status:error leaves only failing traces, and the failing span shows its exception', async () => {
  const page = await dropped(fixture('otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl'));
  await typeInto(page, page.getByTestId('filter-input'), 'status:error');
  await page.getByTestId('filter-count').filter({ hasText: '5 traces' }).waitFor();
  const rows = page.getByTestId('trace-row');
  const outcomes = await rows.evaluateAll((els) => els.map((e) => e.dataset.outcome));
  assert.equal(outcomes.length, 5);
  assert.ok(outcomes.every((o) => o === 'failed' || o === 'recovered'), `outcomes: ${outcomes}`);
  await rows.first().click();
  await page.locator('[data-testid=span-row].error').last().click();
  // An LM span opens on its LM call; the exception is in the overview.
  await page.getByTestId('tab-overview').click();
  const detail = page.getByTestId('span-detail');
  await detail.getByTestId('exception').waitFor();
  assert.match(await detail.getByTestId('exception').textContent(), /Error/);
  // The filter is part of the link.
  assert.match(await page.evaluate(() => location.hash), /filter=status%3Aerror/);
  // Inline error for a bad filter, pointing at the offending text.
  await typeInto(page, page.getByTestId('filter-input'), 'dur>2x');
  assert.match(await page.getByTestId('filter-error').textContent(), /2x/);
});

test('#url= of a served fixture loads the same counts as dropping it; a 404 says what happened', async () => {
  const url = app.serveFixture('otlp-protojson', 'dspy-react.openinference.protojson.json');
  const stats = JSON.parse(execFileSync(CLI, ['stats', '--json', fixture('otlp-protojson', 'dspy-react.openinference.protojson.json')], { encoding: 'utf8' }));
  const page = await app.open(`#url=${encodeURIComponent(url)}`);
  const text = await summary(page, `${stats.spans} spans`);
  assert.equal(text, `${stats.traces} traces · ${stats.failed_traces} failed · ${stats.spans} spans · ${stats.lm_calls} LM calls`);
  const dropped2 = await dropped(fixture('otlp-protojson', 'dspy-react.openinference.protojson.json'));
  assert.equal(await summary(dropped2), text);
  const missing = await app.open(`#url=${encodeURIComponent(app.base + 'nope.json')}`);
  await missing.getByTestId('error-banner').waitFor();
  assert.match(await missing.getByTestId('error-banner').textContent(), /HTTP 404/);
});

test('a link to a span opens it, and Back returns to the previous view', async () => {
  const page = await dropped(fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json'));
  await page.getByTestId('trace-row').first().click();
  await page.getByTestId('span-row').nth(1).click();
  await page.getByTestId('tab-attributes').click();
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /trace=[0-9a-f]{32}&span=[0-9a-f]{16}&tab=attributes/);
  await page.goBack();
  await page.waitForFunction((h) => location.hash !== h, hash);
  await page.goForward();
  await page.getByTestId('attributes').waitFor();
});

test('keyboard only: j, Enter, j…, Enter reaches an LM call', async () => {
  const page = await dropped(fixture('otlp-json', 'dspy-classify.openinference.otlp-http-json.json'));
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  for (let i = 0; i < 5; i++) await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.getByTestId('lm-call').waitFor();
  assert.ok(await page.getByTestId('lm-message').count() >= 2);
  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('help').count(), 0);
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'filter-input');
});

test('hostile trace text renders as inert text in every view', async () => {
  const page = await dropped(fixture('bad', 'hostile.otlp.json'));
  await page.getByTestId('trace-row').first().click();
  const spans = page.getByTestId('span-row');
  for (let i = 0; i < await spans.count(); i++) {
    await spans.nth(i).click();
    for (const tab of ['overview', 'lm', 'io', 'retrieval', 'attributes', 'events']) {
      await page.getByTestId(`tab-${tab}`).click();
    }
  }
  await page.locator('[data-testid=span-row]').last().click();
  await page.getByTestId('tab-lm').click();
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('body img, body svg[onload], body iframe').length,
    scripts: [...document.querySelectorAll('body script')].length,
    jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    handlers: [...document.querySelectorAll('body *')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
  }));
  assert.deepEqual(injected, { img: 0, scripts: 0, jsLinks: 0, handlers: 0 });
  assert.deepEqual(page.dialogs, []);
  // The text is shown, as text.
  assert.match(await page.getByTestId('span-detail').textContent(), /<svg onload=alert\(5\)>/);
  // Only http(s) becomes a link, and it opens safely.
  await page.getByTestId('span-row').first().click();
  await page.getByTestId('tab-attributes').click();
  const link = page.locator('[data-testid=attributes] a');
  assert.equal(await link.count(), 1);
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  assert.match(await link.getAttribute('href'), /^https:\/\/example\.org/);
});

test('steps dashboard, LM-call table and import report', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [fixture('otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl'), fixture('bad', 'notes.md')]);
  await summary(page, '189 spans');
  await page.getByTestId('view-steps').click();
  const names = await page.getByTestId('steps-by-step').locator('tbody td:first-child').allTextContents();
  assert.ok(names.includes('ChainOfThought: context, question -> answer') && names.includes('Retrieve.forward'), names.join(','));
  await page.getByTestId('view-lm-calls').click();
  const calls = page.getByTestId('lm-call-row');
  assert.equal(await calls.count(), 31); // = "31 LM calls" in the summary bar
  await calls.first().click();
  await page.getByTestId('lm-call').waitFor();
  assert.match(await page.evaluate(() => location.hash), /tab=lm/);
  await page.getByTestId('view-report').click();
  const files = page.getByTestId('report-file');
  assert.equal(await files.count(), 2);
  assert.match(await files.nth(0).textContent(), /otlp-jsonl.*19 traces · 3 failed · 189 spans/);
  // notes.md is refused by every format (`spanscope formats` lists them).
  assert.equal(await page.getByTestId('formats-tried').locator('tr').count(), 20);
  assert.match(await page.evaluate(() => location.hash), /view=report/);
});

test('long span trees are virtualised: only the rows in view exist in the DOM', async () => {
  // 131 spans at 26 px is ~3,400 px of rows: far taller than the pane. A
  // pane that grows with its content (the bug this guards) renders all 131.
  const page = await dropped(fixture('zipkin-json', 'py-zipkin-checkout-batch.json'));
  await page.getByTestId('trace-row').first().click();
  await page.getByTestId('span-row').first().waitFor();
  const rendered = await page.getByTestId('span-row').count();
  assert.ok(rendered < 80, `${rendered} of 131 span rows are in the DOM`);
  const paneHeight = await page.getByTestId('trace-view').evaluate((el) => el.clientHeight);
  assert.ok(paneHeight <= 800, `trace view is ${paneHeight}px tall`);
  // Scrolling to the end shows the last rows.
  await page.getByTestId('span-tree').evaluate((el) => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event('scroll')); });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=span-row]').length > 0);
  const lastTop = await page.getByTestId('span-tree').evaluate((el) => el.scrollTop);
  assert.ok(lastTop > 1000);
});

test('what-if prices: editing a model price recosts its LM calls', async () => {
  const page = await dropped(fixture('otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl'));
  await page.getByTestId('view-steps').click();
  const row = page.locator('[data-testid=price-row][data-model="gpt-4o-mini"]');
  await row.waitFor();
  const output = row.locator('input').nth(2);
  await typeInto(page, output, '100');
  await page.keyboard.press('Tab');
  await page.getByTestId('prices').filter({ hasText: '1 what-if price set' }).waitFor();
  await page.getByTestId('view-lm-calls').click();
  const costs = await page.getByTestId('lm-call-row').locator('td:nth-child(8)').allTextContents();
  assert.ok(costs.some((c) => c.includes('(what-if)')), costs.join(' | '));
});

test('retrieval: a multi-hop trace shows each hop with its query and documents', async () => {
  const page = await dropped(fixture('otlp-json', 'dspy-multihop.openinference.otlp-http-json.json'));
  await page.getByTestId('trace-row').first().click();
  await page.locator('[data-testid=span-row][data-kind=retriever]').first().click();
  await page.keyboard.press('Enter'); // Enter on a retriever opens its documents
  const hops = page.getByTestId('retrieval-hop');
  await hops.first().waitFor();
  assert.equal(await hops.count(), 2);
  assert.match(await hops.first().textContent(), /This span · Retrieve\.forward · \d+ documents?Query: /);
  assert.ok(await page.getByTestId('retrieved-document').count() >= 2);
  assert.match(await page.evaluate(() => location.hash), /tab=retrieval/);
});
