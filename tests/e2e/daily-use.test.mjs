// Daily use as a DSPy developer meets it: rows tell requests apart, steps
// are named by predictor, errors and scores come first, numbers are honest,
// span-less files open as a list of LM calls. Text is typed with the
// keyboard, as a person types it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, dropFiles, fixture, summary, screenshotAll } from './harness.mjs';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

async function dropped(files, expected = 'spans') {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, files.map((f) => fixture(...f)));
  await summary(page, expected);
  page.files = files;
  return page;
}

/** Screenshots of the view at every size and theme (tests/e2e/artifacts,
 * not committed): the embedded app gets the same files, and the URL hash
 * brings it to the same trace, span, tab and view. */
async function shoot(page, name) {
  await screenshotAll(page, `daily-${name}`, {
    replay: async (frame) => {
      await dropFiles(frame, page.files.map((f) => fixture(...f)));
      await frame.getByTestId('load-summary').waitFor();
    },
  });
}

/** Types into a text field as a person does: click it, type key by key. */
async function typeInto(page, testid, text) {
  const input = page.getByTestId(testid);
  await input.click();
  await page.keyboard.type(text, { delay: 30 });
  return input;
}

const MULTIHOP = ['otlp-json', 'dspy-multihop.openinference.otlp-http-json.json'];
const RAG = ['otlp-json', 'dspy-rag.openinference.otlp-http-json.json'];
const ALL = ['otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl'];

test('rows tell requests apart: question → answer, status icon, source file', async () => {
  const page = await dropped([MULTIHOP, RAG], '72 spans');
  const row = page.locator('[data-testid=trace-row][data-trace-id="3493df07307e06b85c10b58ce606067e"]');
  assert.equal(
    await row.getByTestId('row-preview').textContent(),
    'Which moon of the largest planet is bigger than Mercury? → Then first the short approach the question that is context citing.',
  );
  // Two files loaded: each row says which one it came from.
  assert.equal(await row.getByTestId('source-file').textContent(), 'dspy-multihop.openinference.otlp-http-json.json');
  // Failed requests carry a ✕ (the RAG file's HTTP 500 and the unparseable
  // multi-hop answer), the rest a ✓.
  const icons = await page.getByTestId('status-icon').allTextContents();
  assert.equal(icons.length, 7);
  assert.equal(icons.filter((i) => i === '✕').length, 2);
  await shoot(page, 'list');
  // With a trace open the list is narrow, and the icon and preview stay.
  await row.click();
  await page.getByTestId('trace-view').waitFor();
  const list = await page.getByTestId('trace-list').boundingBox();
  assert.ok(list.width <= 320, `list is ${list.width}px wide`);
  for (const icon of await page.getByTestId('status-icon').all()) {
    if (!(await icon.isVisible())) continue;
    const box = await icon.boundingBox();
    assert.ok(box.x >= list.x && box.x + box.width <= list.x + list.width, 'icon inside the narrow list');
  }
  assert.ok(await row.getByTestId('row-preview').isVisible());
  assert.deepEqual(page.errors, []);
});

test('free-text hits are highlighted in rows and in the detail text', async () => {
  const page = await dropped([MULTIHOP], '44 spans');
  await typeInto(page, 'filter-input', 'photosynthesis');
  // 17 spans of 2 traces hold the word (python over the fixture's JSON).
  await page.getByTestId('filter-count').filter({ hasText: '2 traces · 17 matching spans' }).waitFor();
  // The word is in no question or answer: the row shows where it is.
  const row = page.locator('[data-testid=trace-row][data-trace-id="3493df07307e06b85c10b58ce606067e"]');
  const preview = row.getByTestId('row-preview');
  assert.match(await preview.textContent(), /^ChainOfThought\.forward: .*Photosynthesis/);
  assert.equal(await preview.getByTestId('hit').first().textContent(), 'Photosynthesis');
  await row.click();
  // The second predictor call got the passages as its context.
  await page.getByTestId('span-row').filter({ hasText: 'ChainOfThought.forward' }).nth(1).click();
  await page.getByTestId('tab-io').click();
  const hits = page.getByTestId('span-detail').getByTestId('hit');
  await hits.first().waitFor();
  assert.equal(await hits.first().textContent(), 'Photosynthesis');
  // The retriever holds them as document attributes.
  await page.locator('[data-testid=span-row][data-kind=retriever]').first().click();
  await page.getByTestId('tab-attributes').click();
  const inAttributes = page.getByTestId('attributes').getByTestId('hit');
  await inAttributes.first().waitFor();
  assert.equal(await inAttributes.first().textContent(), 'Photosynthesis');
});

test('steps are named by predictor and signature, and a wrapper chain counts once', async () => {
  const page = await dropped([MULTIHOP], '44 spans');
  await page.getByTestId('view-steps').click();
  const table = page.getByTestId('steps-by-step');
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
  // 5 query calls (one failed), 2 answer calls, 4 retrievals, 3 programs.
  const query = byName['ChainOfThought: context, question -> search_query'];
  assert.equal(query[1], '5');
  assert.equal(query[7], '20%');
  assert.equal(byName['ChainOfThought: context, question -> answer'][1], '2');
  assert.equal(byName['Retrieve.forward'][1], '4');
  assert.equal(byName['MultiHop.forward'][1], '3');
  for (const wrapper of ['Predict.forward', 'Predict(StringSignature).forward', 'ChatAdapter.__call__', 'LM.__call__']) {
    assert.ok(!(wrapper in byName), `${wrapper} is part of its predictor's row`);
  }
  await shoot(page, 'steps');
  const slowest = await page.locator('.steps .chip').allTextContents();
  assert.deepEqual(slowest, [
    'ChainOfThought: context, question -> search_query2 traces',
    'ChainOfThought: context, question -> answer1 trace',
  ]);
  // The trace view names steps the same way.
  await page.getByTestId('view-traces').click();
  await page.locator('[data-testid=trace-row][data-trace-id="3493df07307e06b85c10b58ce606067e"]').click();
  const breakdown = await page.getByTestId('breakdown-row').locator('td.name').allTextContents();
  assert.ok(breakdown.includes('ChainOfThought: context, question -> answer'), breakdown.join(' | '));
  assert.ok(!breakdown.includes('LM.__call__'), breakdown.join(' | '));
  const sigs = await page.getByTestId('span-signature').allTextContents();
  assert.deepEqual(sigs.slice(0, 1), ['context, question -> search_query']);
});

test('errors first: failed requests are counted, the header names the error and jumps to it', async () => {
  const page = await dropped([ALL], '189 spans');
  assert.equal(await summary(page), '19 traces · 3 failed · 189 spans · 31 LM calls');
  await page.locator('[data-testid=trace-row][data-trace-id="18259621bb30ec07ce1d11bd3c0630ab"]').click();
  const error = page.getByTestId('trace-error');
  await error.waitFor();
  const text = await error.textContent();
  assert.match(text, /^LMServerError: \[openai\/gpt-4o-mini\] The server had an error/);
  assert.match(text, /in ChainOfThought: context, question -> answer · raised in LM\.__call__ · 6 error spans/);
  await error.getByTestId('jump-to-error').click();
  const detail = page.getByTestId('span-detail');
  assert.equal(await detail.locator('h2').textContent(), 'LM.__call__');
  await page.getByTestId('tab-lm').click();
  const lmError = detail.getByTestId('lm-error');
  await lmError.waitFor();
  assert.match(await lmError.textContent(), /The call failed: dspy\.utils\.exceptions\.LMServerError/);
  assert.doesNotMatch(await detail.textContent(), /No output recorded/);
  await shoot(page, 'trace-error');
  // A ReAct tool error the agent worked around is no failed request.
  await page.locator('[data-testid=trace-row][data-trace-id="2c44d7ba88833482b7e9ee31431bc79c"]').click();
  assert.match(await page.getByTestId('trace-error').textContent(), /^Recovered from ValueError/);
  assert.equal(await page.locator('[data-trace-id="2c44d7ba88833482b7e9ee31431bc79c"]').getAttribute('data-outcome'), 'recovered');
});

test('scores are a column, a badge and a group-by key; Langfuse tags are shown parsed', async () => {
  const page = await dropped([
    ['langfuse-otlp', 'dspy-rag.langfuse-otlp.protojson.json'],
    ['langfuse-scores', 'dspy-rag.langfuse-scores.json'],
  ], '32 spans');
  const badges = await page.getByTestId('trace-rows').getByTestId('score-badge').allTextContents();
  assert.deepEqual(badges.sort(), ['answer_length_ok1', 'answer_length_ok1', 'answer_length_ok1', 'failedtrue']);
  await page.getByTestId('view-steps').click();
  // The picker offers the scores by name; picked with the keyboard.
  const key = page.getByTestId('group-key');
  const options = await key.locator('option').allTextContents();
  assert.ok(options.some((o) => o.startsWith('score.failed — scores · 1 value · 1 trace')), options.join(' | '));
  await key.focus();
  await page.keyboard.type('score.f', { delay: 30 });
  const cards = page.getByTestId('group-card');
  await cards.filter({ hasText: 'true' }).waitFor();
  const titles = await cards.locator('h4').allTextContents();
  assert.deepEqual(titles, ['(none)', 'true']);
  // The failed trace's header carries its score and its Langfuse tags, parsed.
  await page.getByTestId('view-traces').click();
  await page.locator('[data-testid=trace-row][data-trace-id="1578db11ea83ccd29eb26de4b6d7a88b"]').click();
  const header = page.locator('.trace-header');
  assert.equal(await header.getByTestId('score-badge').textContent(), 'failedtrue');
  assert.deepEqual(await header.getByTestId('trace-tag').allTextContents(), ['dspy', 'rag', 'dev']);
  await shoot(page, 'scores');
  await page.getByTestId('span-row').first().click();
  await page.getByTestId('tab-attributes').click();
  const tags = page.getByTestId('attributes').locator('tr', { hasText: 'langfuse.trace.tags' }).locator('td');
  assert.equal(await tags.textContent(), '["dspy","rag","dev"]');
});

test('a score is a filter field with comparisons, typed', async () => {
  const page = await dropped([
    ['langfuse-otlp', 'dspy-rag.langfuse-otlp.protojson.json'],
    ['langfuse-scores', 'dspy-rag.langfuse-scores.json'],
  ], '32 spans');
  await typeInto(page, 'filter-input', 'score.answer_length_ok>0.5');
  await page.getByTestId('filter-count').filter({ hasText: '3 traces' }).waitFor({ timeout: 5000 });
  const passing = await page.getByTestId('trace-row').evaluateAll((els) => els.map((e) => e.dataset.traceId));
  assert.ok(!passing.includes('1578db11ea83ccd29eb26de4b6d7a88b'));
});

test('honest numbers: trace-level usage everywhere, "not recorded" for none, one model', async () => {
  const page = await dropped([['mlflow-json', 'dspy-multihop.mlflow-trace-single.json']], '18 spans');
  await page.getByTestId('trace-row').first().click();
  assert.equal(await page.getByTestId('trace-tokens').textContent(), '1.1k tok');
  await page.getByTestId('view-lm-calls').click();
  assert.match(await page.getByTestId('lm-calls-summary').textContent(), /^3 LM calls in the listed traces · 1.1k tok · \$0\.0003 · usage recorded per trace/);
  await page.getByTestId('view-steps').click();
  const model = await page.getByTestId('model-tokens-row').first().locator('td').allTextContents();
  assert.deepEqual(model.slice(0, 4), ['gpt-4o-mini (openai)', '3', '797', '268']);
  const key = page.getByTestId('group-key');
  await key.focus();
  await page.keyboard.type('model', { delay: 30 });
  assert.match(await key.locator('option:checked').textContent(), /^model — /);
  const card = page.getByTestId('group-card').filter({ hasText: 'gpt-4o-mini' });
  await card.waitFor();
  assert.match(await card.textContent(), /Tokens1\.1k tok/);

  // A file without usage: not recorded, not 0 tok · $0.
  const none = await dropped([['dspy-callback-jsonl', 'dspy-rag.callback-events.jsonl']], 'spans');
  await none.getByTestId('view-lm-calls').click();
  assert.match(await none.getByTestId('lm-calls-summary').textContent(), /tokens not recorded · cost not recorded/);
  await none.getByTestId('view-traces').click();
  await none.getByTestId('trace-row').first().click();
  assert.equal(await none.getByTestId('trace-tokens').textContent(), 'tokens not recorded');

  // openai/gpt-4o-mini and gpt-4o-mini are one model.
  const mixed = await dropped([ALL], '189 spans');
  assert.deepEqual(
    await mixed.getByTestId('facet').filter({ has: mixed.locator('[data-field=model]') }).count(), 0);
  const models = await mixed.locator('[data-testid=facet][data-field=model]').evaluateAll((els) => els.map((e) => e.dataset.value));
  assert.deepEqual(models, ['gpt-4o-mini']);
  await mixed.getByTestId('view-steps').click();
  const perModel = await mixed.getByTestId('steps-by-model').locator('tbody td:first-child').allTextContents();
  assert.deepEqual(perModel, ['gpt-4o-mini']);
});

test('lm.history opens as a list of LM calls with previews, no waterfall and no 0 ns', async () => {
  const page = await dropped([['dspy-history', 'dspy-rag.lm-history.json']], '3 spans');
  await page.getByTestId('lm-calls').waitFor();
  assert.equal(await page.getByTestId('view-lm-calls').getAttribute('class'), 'view-tab selected');
  const head = await page.getByTestId('lm-calls').locator('thead th').allTextContents();
  assert.ok(!head.some((h) => h.startsWith('Latency')), head.join(' | '));
  const rows = page.getByTestId('lm-call-row');
  assert.equal(await rows.count(), 3);
  const prompts = await page.getByTestId('call-prompt').allTextContents();
  assert.ok(prompts.some((p) => p.startsWith('question: What is the capital of France?')), prompts.join(' | '));
  const first = await rows.filter({ hasText: 'capital of France' }).locator('td').allTextContents();
  assert.equal(first[4], '275');
  assert.equal(first[5], '50');
  assert.equal(first[7], 'stop');
  await rows.filter({ hasText: 'capital of France' }).click();
  await page.getByTestId('lm-call').waitFor();
  const view = page.getByTestId('trace-view');
  assert.match(await view.getAttribute('class'), /untimed/);
  assert.equal(await page.getByTestId('breakdown').count(), 0);
  assert.ok(!(await page.locator('.bar-col').first().isVisible()));
  assert.doesNotMatch(await page.locator('main').textContent(), /\b0 ns\b/);
  assert.match(await page.getByTestId('lm-facts').textContent(), /Finish reasonstop/);
  assert.match(await page.getByTestId('lm-facts').textContent(), /Input tokens275/);
  await shoot(page, 'lm-history');
});

test('few-shot demos are labelled, callback outputs are fields, not Python reprs', async () => {
  const page = await dropped([['dspy-history', 'dspy-optimize.lm-history.json']], 'spans');
  await page.getByTestId('lm-call-row').first().click();
  await page.getByTestId('lm-call').waitFor();
  assert.deepEqual(await page.getByTestId('demo-label').allTextContents(), [
    'demo 1 · question', 'demo 1 · answer', 'demo 2 · question', 'demo 2 · answer',
  ]);
  await shoot(page, 'demos');

  const cb = await dropped([['dspy-callback-jsonl', 'dspy-multihop.callback-events.jsonl']], 'spans');
  await cb.getByTestId('trace-row').first().click();
  await cb.locator('[data-testid=span-row]').nth(1).click();
  await cb.getByTestId('tab-io').click();
  const io = cb.locator('.io');
  await io.locator('.json-tree').nth(1).waitFor();
  const output = await io.locator('.payload').nth(1).textContent();
  assert.match(output, /Prediction: \{2\}/);
  assert.match(output, /search_query: retrieved into the then/);
  assert.doesNotMatch(output, /Prediction\(/);
});
