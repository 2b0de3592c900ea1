// Big values and long tables never freeze the page: a 1 MB and a 20 MB
// single-line value (one long word, as base64 or `AAAA…` is), a 100k-char
// model name and attribute key, a JSON payload of 50,000 objects, and
// 100,000 distinct span names. Each detail tab appears at once (measured
// from the click to the second frame after it), long text shows a
// screenful then "Show all", big tables show their first rows.
//
// Times are printed (`tab_ms …`) for the record; the bound asserted is the
// issue's 100 ms made generous for a shared machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, summary, typeInto, watchFrames } from './harness.mjs';
import { generateOtlp } from './generate.mjs';

const TAB_BOUND_MS = 1000;

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

/** One trace of four spans with huge values, built in the page. */
function hugeTrace() {
  const MB = 1000 * 1000;
  const t = '0123456789abcdef0123456789abcdef';
  const s = (n) => String(n).padStart(16, '0');
  const attr = (key, v) => ({ key, value: { stringValue: v } });
  const span = (id, parent, name, kind, attrs) => ({
    traceId: t, spanId: s(id), parentSpanId: parent ? s(parent) : '', name, kind: 1,
    startTimeUnixNano: String(1700000000000000000n + BigInt(id) * 1000000n),
    endTimeUnixNano: String(1700000000000000000n + BigInt(id + 5) * 1000000n),
    attributes: [attr('openinference.span.kind', kind), ...attrs], status: {},
  });
  const json = { image: 'QUJD'.repeat(MB / 4), caption: 'a cat' };
  const rows = Array.from({ length: 50000 }, (_, i) => ({ id: i, text: `row ${i}` }));
  const spans = [
    span(1, 0, 'root', 'CHAIN', []),
    span(2, 1, 'one-mb', 'LLM', [
      attr('llm.model_name', 'M'.repeat(100000)),
      attr('input.value', 'A'.repeat(MB)),
      attr('output.value', JSON.stringify(json)),
      attr('blob', 'A'.repeat(MB)),
      attr('K'.repeat(100000), 'a value under a 100k-character key'),
      attr('llm.input_messages.0.message.role', 'user'),
      attr('llm.input_messages.0.message.content', 'Z'.repeat(MB)),
    ]),
    span(3, 1, 'twenty-mb', 'CHAIN', [
      attr('input.value', 'B'.repeat(20 * MB)),
      attr('payload', 'C'.repeat(20 * MB)),
    ]),
    span(4, 1, 'many-rows', 'CHAIN', [attr('output.value', JSON.stringify(rows))]),
    span(5, 1, 'N'.repeat(100000), 'TOOL', [attr('tool.name', 'T'.repeat(100000))]),
  ];
  const text = JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'big')] }, scopeSpans: [{ scope: { name: 'x' }, spans }] }] });
  const dt = new DataTransfer();
  dt.items.add(new File([text], 'huge.otlp.json', { type: 'application/json' }));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }
  return text.length;
}

/** Clicks a test id in the page; ms until the second frame after it. */
function timedClick(page, testid) {
  return page.evaluate(async (testid) => {
    const t0 = performance.now();
    document.querySelector(`[data-testid="${testid}"]`).click();
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    return performance.now() - t0;
  }, testid);
}

async function openSpan(page, name) {
  const row = page.locator('[data-testid=span-row]', { has: page.locator('.span-name', { hasText: new RegExp(`^${name}$`) }) });
  await row.click();
  await page.getByTestId('span-detail').waitFor();
}

test('1 MB and 20 MB single-line values: every detail tab appears at once', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  const bytes = await page.evaluate(hugeTrace);
  assert.ok(bytes > 44e6);
  await summary(page, '5 spans');
  await page.getByTestId('trace-row').first().click();
  const times = {};
  for (const span of ['one-mb', 'twenty-mb', 'many-rows', 'long-name']) {
    if (span === 'long-name') {
      await page.locator('[data-testid=span-row][data-span-id="0000000000000005"]').click();
    } else {
      await openSpan(page, span);
    }
    for (const tab of ['overview', 'lm', 'io', 'attributes', 'events', 'overview']) {
      const ms = await timedClick(page, `tab-${tab}`);
      times[`${span}/${tab}`] = Math.round(ms);
      // What is on screen is bounded: no text node holds a whole value.
      const longest = await page.getByTestId('span-detail').evaluate((el) => {
        let max = 0;
        const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) max = Math.max(max, walk.currentNode.length);
        return max;
      });
      assert.ok(longest <= 4000, `${span}/${tab}: a text node of ${longest} characters`);
    }
  }
  console.log(`tab_ms ${JSON.stringify(times)}`);
  for (const [what, ms] of Object.entries(times)) assert.ok(ms < TAB_BOUND_MS, `${what} took ${ms} ms`);
  // The filter still types, searching those values.
  const input = page.getByTestId('filter-input');
  await typeInto(page, input, 'BBBBBBBB -kind:llm', { delay: 20 });
  await page.getByTestId('filter-count').filter({ hasText: '1 trace · 1 matching span' }).waitFor();
  assert.equal(await input.inputValue(), 'BBBBBBBB -kind:llm');
  assert.deepEqual(page.errors, []);
});

test('long text shows a screenful, then all of it in slices while the page keeps painting', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await page.evaluate(hugeTrace);
  await summary(page, '5 spans');
  await page.getByTestId('trace-row').first().click();
  for (const [span, mb] of [['one-mb', '1 MB'], ['twenty-mb', '20 MB']]) {
    await openSpan(page, span);
    await page.getByTestId('tab-io').click();
    const text = page.getByTestId('long-text').first();
    await text.waitFor();
    assert.equal(await text.getByTestId('show-all').textContent(), `Show all (${mb})`);
    await watchFrames(page);
    const t0 = Date.now();
    await text.getByTestId('show-all').click();
    await text.getByTestId('long-text-progress').waitFor({ state: 'detached', timeout: 120000 });
    const revealMs = Date.now() - t0;
    const shown = await text.evaluate((el) => [...el.querySelectorAll('pre')].reduce((n, p) => n + p.textContent.length, 0));
    const gap = await page.evaluate(() => window.__maxFrameGap);
    console.log(`show_all ${span}: ${shown} chars in ${revealMs} ms, longest frame gap ${Math.round(gap)} ms`);
    assert.equal(shown, Number(await text.getAttribute('data-bytes')));
    assert.ok(gap < 2000, `the page stopped painting for ${gap} ms`);
  }
  // The JSON of 50,000 rows is a virtualised tree: a page of rows in the DOM.
  await openSpan(page, 'many-rows');
  await page.getByTestId('tab-io').click();
  const tree = page.getByTestId('json-tree').last();
  await tree.waitFor();
  assert.ok(Number(await tree.getAttribute('data-rows')) > 500);
  assert.ok(await tree.locator('.json-row').count() < 200);
  // A huge string in a JSON tree: cut, with the rest on request.
  await openSpan(page, 'one-mb');
  await page.getByTestId('tab-io').click();
  const image = page.getByTestId('json-tree').last().getByTestId('long-text');
  await image.waitFor();
  assert.equal(await image.getByTestId('show-all').textContent(), 'Show all (1 MB)');
  assert.deepEqual(page.errors, []);
});

test('100,000 distinct span names: the steps table shows 200 rows and "show more"', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  const made = await page.evaluate(`(() => {
    const made = (${generateOtlp})({ spans: 100000, perTrace: 10, padBytes: 10, distinctNames: true });
    const dt = new DataTransfer();
    dt.items.add(new File([made.parts.join('')], 'names.json', { type: 'application/json' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
    return made;
  })()`);
  await summary(page, `${made.spans} spans`);
  const ms = await timedClick(page, 'view-steps');
  console.log(`steps_view_ms_100k_names ${Math.round(ms)}`);
  const table = page.getByTestId('steps-by-step');
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 200);
  const more = page.getByTestId('more-rows').first();
  assert.equal(await more.locator('span').textContent(), 'Showing 200 of 100,000 rows');
  await more.getByTestId('show-more').click();
  assert.equal(await table.locator('tbody tr').count(), 400);
  assert.ok(ms < 10000, `the steps view took ${ms} ms`);
  // Typing a name filter over 100,000 names: suggestions keep up.
  await page.getByTestId('view-traces').click();
  const input = page.getByTestId('filter-input');
  const t0 = Date.now();
  await typeInto(page, input, 'name:"step 99999"', { delay: 20 });
  await page.getByTestId('filter-count').filter({ hasText: '1 trace · 1 matching span' }).waitFor();
  console.log(`typed_name_filter_ms_100k_names ${Date.now() - t0}`);
  assert.equal(await input.inputValue(), 'name:"step 99999"');
  // The LM-call table and the others are capped the same way.
  const lm = await timedClick(page, 'view-lm-calls');
  console.log(`lm_calls_view_ms_100k_names ${Math.round(lm)}`);
  assert.deepEqual(page.errors, []);
});
