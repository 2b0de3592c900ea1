// Daily use, as a person does it: typing filters key by key (any speed,
// through an IME), picking suggestions with the keyboard, every README
// filter example typed and checked, Enter on links and buttons, and the
// smaller things: a click on an LM span, a second drop, Copy link, a link
// to local files, the group-by picker, the help.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, dropFiles, dropTexts, fixture, summary, typeInto, ROOT } from './harness.mjs';
import { filterExampleFiles } from './filter_examples.mjs';

const JSONL = fixture('otlp-jsonl', 'dspy-all-scenarios.filexporter.jsonl');
const RAG = fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json');
const MULTIHOP = fixture('otlp-json', 'dspy-multihop.openinference.otlp-http-json.json');

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

async function dropped(files, expected) {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, files);
  await summary(page, expected);
  return page;
}

const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
const count = (page) => page.getByTestId('filter-count').textContent();

test('the filter can be typed: status:error key by key keeps focus through the suggestions', async () => {
  const page = await dropped([JSONL], '189 spans');
  await page.keyboard.press('/');
  const input = page.getByTestId('filter-input');
  // The suggestion list opens and closes on `:`; every key still lands.
  await page.keyboard.type('status:error', { delay: 30 });
  assert.equal(await input.inputValue(), 'status:error');
  assert.equal(await focusedTestId(page), 'filter-input');
  await page.getByTestId('filter-count').filter({ hasText: '5 traces' }).waitFor();
  // As fast as keys come, with `"` and `>` (which also open suggestions).
  await typeInto(page, input, 'kind:llm dur>1ms "LM', { delay: 0 });
  assert.equal(await input.inputValue(), 'kind:llm dur>1ms "LM');
  assert.equal(await focusedTestId(page), 'filter-input');
  await page.keyboard.type('" status:ok', { delay: 5 });
  assert.equal(await input.inputValue(), 'kind:llm dur>1ms "LM" status:ok');
  assert.equal(await page.getByTestId('filter-error').count(), 0);
  assert.match(await count(page), /^\d+ traces? · \d+ matching spans?$/);
  assert.deepEqual(page.errors, []);
});

test('an IME composes in the filter without losing focus; the composed text filters', async () => {
  const page = await dropped([JSONL], '189 spans');
  const input = page.getByTestId('filter-input');
  await typeInto(page, input, 'name:');
  const before = await count(page);
  const cdp = await page.context().newCDPSession(page);
  // Composing: the text shows in the box, nothing is filtered yet.
  await cdp.send('Input.imeSetComposition', { text: 'けん', selectionStart: 2, selectionEnd: 2 });
  await cdp.send('Input.imeSetComposition', { text: '検索', selectionStart: 2, selectionEnd: 2 });
  assert.equal(await input.inputValue(), 'name:検索');
  assert.equal(await focusedTestId(page), 'filter-input');
  assert.equal(await count(page), before);
  // Committed: the filter runs on the whole word, focus stays.
  await cdp.send('Input.insertText', { text: '検索' });
  await page.getByTestId('filter-count').filter({ hasText: '0 traces' }).waitFor();
  assert.equal(await input.inputValue(), 'name:検索');
  assert.equal(await focusedTestId(page), 'filter-input');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('LM*', { delay: 20 });
  await page.getByTestId('filter-count').filter({ hasText: /^\d+ traces · \d+ matching spans$/ }).waitFor();
  assert.equal(await input.inputValue(), 'name:LM*');
});

test('suggestions are picked with the keyboard, close when they should, and never cover the facets', async () => {
  const page = await dropped([JSONL], '189 spans');
  const input = page.getByTestId('filter-input');
  const list = page.getByTestId('suggestions');
  await typeInto(page, input, 'sta');
  await list.waitFor();
  assert.deepEqual(await list.getByTestId('suggestion').allTextContents(), ['status:']);
  // Below the whole filter bar: the facet chips stay visible and clickable.
  const [sugBox, facetBox] = [await list.boundingBox(), await page.getByTestId('facets').boundingBox()];
  assert.ok(sugBox.y >= facetBox.y + facetBox.height - 1, `suggestions ${JSON.stringify(sugBox)} over facets ${JSON.stringify(facetBox)}`);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await input.inputValue(), 'status:');
  assert.deepEqual(await list.getByTestId('suggestion').allTextContents(), ['status:error', 'status:ok', 'status:unset']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await input.inputValue(), 'status:error ');
  await page.getByTestId('filter-count').filter({ hasText: '5 traces' }).waitFor();
  // A finished value has nothing left to suggest: the list is gone.
  assert.equal(await list.count(), 0);
  assert.equal(await focusedTestId(page), 'filter-input');
  // Esc closes an open list and keeps the text; the next Esc is "back".
  await page.keyboard.type('ki', { delay: 30 });
  await list.waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await list.count(), 0);
  assert.equal(await input.inputValue(), 'status:error ki');
  // Leaving the box closes it too.
  await page.keyboard.type('n', { delay: 30 });
  await list.waitFor();
  await page.getByTestId('trace-list').click({ position: { x: 5, y: 5 } });
  assert.equal(await list.count(), 0);
});

test('every filter example of the README, typed, finds what it says', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = readme.split('## Filter language')[1].split('```text')[1].split('```')[0];
  const examples = block.split('\n').filter((l) => l.trim()).map((l) => l.split(/\s{2,}/)[0].trim());
  const { files, expected, totals } = filterExampleFiles();
  assert.deepEqual(examples, Object.keys(expected), 'README examples and this test list the same filters');
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropTexts(page, files);
  await summary(page, totals);
  const input = page.getByTestId('filter-input');
  for (const example of examples) {
    await typeInto(page, input, example, { delay: 15 });
    assert.equal(await input.inputValue(), example);
    const [traces, spans] = expected[example];
    const want = `${traces} trace${traces === 1 ? '' : 's'} · ${spans} matching span${spans === 1 ? '' : 's'}`;
    await page.getByTestId('filter-count').filter({ hasText: want }).waitFor({ timeout: 5000 })
      .catch(async () => assert.fail(`${example}: ${await count(page)}, expected ${want}`));
    assert.equal(await page.getByTestId('filter-error').count(), 0, example);
    assert.equal(await page.getByTestId('trace-row').count(), traces, example);
  }
  // The help lists the same examples, and the fields.
  await page.keyboard.press('Escape');
  await page.getByTestId('trace-list').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('?');
  const help = page.getByTestId('help-filter-examples');
  await help.waitFor();
  const shown = await help.locator('th').allTextContents();
  assert.deepEqual(shown, examples);
  assert.match(await page.getByTestId('help-filter-fields').textContent(), /status.*error, ok, unset.*dur, self.*attr\.<key>/s);
});

test('Enter is never swallowed: the sample link, buttons and the help dialog take it', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  // Tab to "try a sample" and press Enter, as a keyboard user does.
  for (let i = 0; i < 12 && (await focusedTestId(page)) !== 'sample-link'; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedTestId(page), 'sample-link');
  await page.keyboard.press('Enter');
  await summary(page, '3 traces');
  // Enter on a focused button presses it (the theme toggle).
  const theme = page.getByTestId('theme-toggle');
  await theme.focus();
  await page.keyboard.press('Enter');
  assert.equal(await theme.textContent(), 'Theme: dark');
  await page.keyboard.press(' ');
  assert.equal(await theme.textContent(), 'Theme: light');
  // A sort button, by keyboard.
  await page.getByTestId('sort-duration').focus();
  await page.keyboard.press('Enter');
  assert.match(await page.getByTestId('sort-duration').textContent(), /↓/);
  // The help dialog: its Close button has focus; Enter closes it, j does nothing behind it.
  await page.locator('.brand').click();
  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor();
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('help').count(), 0);
  assert.equal(await page.getByTestId('trace-view').count(), 0, 'keys in the dialog did not reach the list');
  // On the page itself, Enter still opens: j then Enter.
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.getByTestId('trace-view').waitFor();
  assert.deepEqual(page.errors, []);
});

test('clicking an LM span opens its LM call, as Enter does', async () => {
  const page = await dropped([MULTIHOP], '44 spans');
  await page.getByTestId('trace-row').first().click();
  await page.locator('[data-testid=span-row][data-kind=chain]').first().click();
  await page.getByTestId('tab-attributes').click();
  await page.locator('[data-testid=span-row].lm-call').first().click();
  await page.getByTestId('lm-call').waitFor();
  assert.equal(await page.getByTestId('tab-lm').getAttribute('aria-selected'), 'true');
  assert.match(await page.evaluate(() => location.hash), /tab=lm/);
  // Another kind of span: the tab that fits it (not the LM tab).
  await page.locator('[data-testid=span-row][data-kind=chain]').first().click();
  assert.equal(await page.getByTestId('tab-overview').getAttribute('aria-selected'), 'true');
  // The chain glyph is not a twisty.
  const icons = await page.locator('[data-testid=span-row][data-kind=chain] .kind-icon').allTextContents();
  const twisties = await page.locator('[data-testid=span-row] .twisty').allTextContents();
  assert.ok(icons.length > 0 && twisties.length > 0);
  for (const icon of icons) assert.ok(!twisties.includes(icon) && !['▸', '▾'].includes(icon), `chain icon ${icon}`);
});

test('a second drop asks: add to the loaded files (Enter), replace them, or cancel (Esc)', async () => {
  const page = await dropped([RAG], '28 spans');
  await dropFiles(page, [fixture('otlp-json', 'dspy-react.openinference.otlp-http-json.json')]);
  const dialog = page.getByTestId('open-choice');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /dspy-react.*Loaded now:.*dspy-rag/s);
  assert.equal(await focusedTestId(page), 'open-add');
  await page.keyboard.press('Enter');
  assert.equal(await summary(page, '78 spans'), '6 traces · 1 failed · 78 spans · 12 LM calls');
  // Esc: nothing opens, the session stays.
  await dropFiles(page, [MULTIHOP]);
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await dialog.count(), 0);
  assert.equal(await summary(page), '6 traces · 1 failed · 78 spans · 12 LM calls');
  // Replace.
  await dropFiles(page, [MULTIHOP]);
  await page.getByTestId('open-replace').click();
  assert.equal(await summary(page, '44 spans'), '3 traces · 1 failed · 44 spans · 8 LM calls');
});

test('Copy link confirms, and a link to local files says which file to drop', async () => {
  const page = await dropped([RAG], '28 spans');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.base });
  await page.getByTestId('trace-row').first().click();
  await page.getByTestId('span-row').nth(1).click();
  await page.getByTestId('copy-link').click();
  await page.getByTestId('copy-link').filter({ hasText: 'Link copied' }).waitFor();
  const note = await page.getByTestId('copy-note').textContent();
  assert.match(note, /Link copied\. .*dspy-rag\.openinference\.otlp-http-json\.json is dropped/);
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, await page.evaluate(() => location.href));
  assert.match(link, /file=dspy-rag\.openinference\.otlp-http-json\.json/);
  // Whoever opens it is told what to drop; dropping it shows the same span.
  const other = await app.open(new URL(link).hash);
  const told = other.getByTestId('link-files');
  await told.waitFor();
  assert.match(await told.textContent(), /drop dspy-rag\.openinference\.otlp-http-json\.json here/);
  await dropFiles(other, [RAG]);
  await other.getByTestId('span-detail').waitFor();
  assert.equal(await other.evaluate(() => location.hash), new URL(link).hash);
});

test('group-by offers the keys present in the data', async () => {
  const page = await dropped([JSONL], '189 spans');
  await page.getByTestId('view-steps').click();
  const picker = page.getByTestId('group-key');
  await picker.waitFor();
  const options = await picker.locator('option').allTextContents();
  assert.ok(options.length >= 3, options.join(' | '));
  // openai/gpt-4o-mini and gpt-4o-mini are one model: one value.
  assert.match(options[0], /^model — LM calls · 1 value · 19 traces$/);
  assert.ok(options.some((o) => o.startsWith('service.name — resource')), options.join(' | '));
  assert.ok(!options.some((o) => /^(input|output)\.value/.test(o)), 'payloads are no group keys');
  assert.equal(await page.getByTestId('groups').locator('.group-card').count(), 1);
  // Picked with the keyboard: the groups follow.
  await picker.focus();
  await page.keyboard.press('ArrowDown');
  await page.getByTestId('groups').locator('.group-card').first().waitFor();
  const value = await picker.inputValue();
  assert.equal(value, '1');
  const groups = await page.getByTestId('groups').locator('.group-card').count();
  assert.ok(groups >= 1);
});

test('the other text fields, typed: the landing page URL box (Enter opens) and the attribute search', async () => {
  const url = app.serveFixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json');
  const page = await app.open();
  const box = page.getByTestId('url-input');
  await box.waitFor();
  await typeInto(page, box, url, { delay: 5 });
  assert.equal(await box.inputValue(), url);
  await page.keyboard.press('Enter');
  assert.equal(await summary(page, '28 spans'), '4 traces · 1 failed · 28 spans · 4 LM calls');
  await page.getByTestId('trace-row').first().click();
  await page.locator('[data-testid=span-row].lm-call').first().click();
  await page.getByTestId('tab-attributes').click();
  const rows = page.getByTestId('attributes').locator('tr');
  const all = await rows.count();
  const search = page.getByTestId('attribute-search');
  await typeInto(page, search, 'openinference', { delay: 30 });
  assert.equal(await search.inputValue(), 'openinference');
  assert.equal(await focusedTestId(page), 'attribute-search');
  const hits = await rows.locator('th').allTextContents();
  assert.ok(hits.length > 0 && hits.length < all, `${hits.length} of ${all}`);
  assert.ok(hits.every((k) => k.includes('openinference')), hits.join(', '));
  // j typed into the search is text, not "next span".
  const hash = await page.evaluate(() => location.hash);
  await page.keyboard.type('j', { delay: 30 });
  assert.equal(await search.inputValue(), 'openinferencej');
  assert.equal(await page.evaluate(() => location.hash), hash);
});
