// Every main view at 1920×1080, 1280×800, 1024×700 and in a 700×400
// iframe, light and dark, photographed (screenshotAll) and measured: no
// axis labels overlap, the span tree keeps usable rows, numbers do not
// wrap, share bars keep their length, the page itself never scrolls, and
// below 900 px the facets fold behind a toggle.
//
// The trace view and the LM call are committed to tests/e2e/screenshots
// (the README shows two of them); the other views go to
// tests/e2e/artifacts. Look at them after a change to the layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, dropFiles, fixture, summary, screenshotAll, openEmbedded, settled, SCREEN_SIZES } from './harness.mjs';

const FILE = fixture('otlp-json', 'dspy-multihop.openinference.otlp-http-json.json');
const TRACE = '3493df07307e06b85c10b58ce606067e';
const ROW = 26; // span row height (px)

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

/** Drops the multi-hop file in a page or an embedded frame. */
async function load(pageOrFrame) {
  await pageOrFrame.getByTestId('drop-zone').waitFor();
  await dropFiles(pageOrFrame, [FILE]);
  await summary(pageOrFrame, '44 spans');
}

/** What a person would call broken, measured in the page. */
function measure(pageOrFrame) {
  return pageOrFrame.evaluate(() => {
    const box = (el) => el.getBoundingClientRect();
    const visible = (el) => { const b = box(el); return b.width > 0 && b.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
    const axis = document.querySelector('[data-testid=waterfall-axis]');
    const ticks = axis ? [...axis.querySelectorAll('.tick')].filter(visible).map(box) : [];
    const overlaps = [];
    for (let i = 0; i < ticks.length; i++) {
      for (let j = i + 1; j < ticks.length; j++) {
        const [a, b] = [ticks[i], ticks[j]];
        if (a.left < b.right + 2 && b.left < a.right + 2) overlaps.push([i, j]);
      }
    }
    const ab = axis && box(axis);
    const outside = ticks.filter((t) => t.left < ab.left - 1 || t.right > ab.right + 1).length;
    const wrapped = [...document.querySelectorAll('.breakdown-table td.num, .trace-header > span')]
      .filter(visible).filter((el) => el.getClientRects().length > 1 || box(el).height > 24).map((el) => el.textContent);
    const bars = [...document.querySelectorAll('.breakdown-table .share-bar')].filter(visible).map((el) => box(el).width);
    const tree = document.querySelector('[data-testid=span-tree]');
    return {
      ticks: ticks.length, overlaps, outside, wrapped,
      topShareBar: bars.length ? Math.max(...bars) : null,
      treeHeight: tree ? tree.clientHeight : null,
      pageScrolls: document.documentElement.scrollHeight > innerHeight + 1 || document.documentElement.scrollWidth > innerWidth + 1,
    };
  });
}

/** Asserts the measured layout at one size. */
function checker(minRows) {
  return async (pageOrFrame, size) => {
    const m = await measure(pageOrFrame);
    const at = `${size.name}: ${JSON.stringify(m)}`;
    assert.ok(m.ticks >= 2, `axis ticks, ${at}`);
    assert.deepEqual(m.overlaps, [], `overlapping axis labels, ${at}`);
    assert.equal(m.outside, 0, `axis labels outside the axis, ${at}`);
    assert.deepEqual(m.wrapped, [], `wrapped numbers, ${at}`);
    if (m.topShareBar !== null) assert.ok(m.topShareBar >= 24, `the largest share bar is ${m.topShareBar} px, ${at}`);
    assert.ok(m.treeHeight >= minRows * ROW, `span tree ${m.treeHeight} px < ${minRows} rows, ${at}`);
    assert.equal(m.pageScrolls, false, `the page scrolls, ${at}`);
  };
}

test('landing and trace list at every size, light and dark', async () => {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await screenshotAll(page, 'landing');
  await load(page);
  await screenshotAll(page, 'trace-list', {
    replay: load,
    check: async (p, size) => {
      const facets = p.getByTestId('facets');
      // Below 900 px the facets and histogram fold behind a toggle.
      if (size.width < 900) {
        assert.equal(await facets.isVisible(), false, size.name);
        await p.getByTestId('facets-toggle').click();
        assert.equal(await facets.isVisible(), true, size.name);
        await p.getByTestId('facets-toggle').click();
      } else {
        assert.equal(await facets.isVisible(), true, size.name);
        assert.equal(await p.getByTestId('facets-toggle').isVisible(), false, size.name);
      }
      assert.ok(await p.getByTestId('trace-row').count() >= 3, size.name);
    },
  });
  assert.deepEqual(page.errors, []);
});

test('trace view: axis labels never overlap and the span tree keeps its rows at every size', async () => {
  const page = await app.open();
  await load(page);
  await page.locator(`[data-testid=trace-row][data-trace-id="${TRACE}"]`).click();
  await page.getByTestId('span-row').first().waitFor();
  await screenshotAll(page, 'trace-view', { commit: true, replay: load, check: checker(8) });
  // A span open below or beside the tree: the tree still has rows to use.
  await page.locator('[data-testid=span-row].lm-call').first().click();
  await page.getByTestId('lm-call').waitFor();
  await screenshotAll(page, 'lm-call', { commit: true, replay: load, check: checker(4) });
  assert.deepEqual(page.errors, []);
});

test('in a 700×400 iframe, the trace list gives way to the open trace, with a way back', async () => {
  const page = await app.open();
  const { host, frame } = await openEmbedded(page);
  try {
    await load(frame);
    await frame.locator(`[data-testid=trace-row][data-trace-id="${TRACE}"]`).click();
    await frame.getByTestId('span-row').first().waitFor();
    await settled(frame);
    assert.equal(await frame.getByTestId('trace-list').isVisible(), false);
    const tree = await frame.getByTestId('span-tree').evaluate((el) => el.clientHeight);
    assert.ok(tree >= 8 * ROW, `span tree ${tree} px`);
    await frame.locator('[data-testid=span-row].lm-call').first().click();
    await frame.getByTestId('close-span').click();
    assert.equal(await frame.getByTestId('span-detail').count(), 0);
    await frame.getByTestId('back-to-traces').click();
    await frame.getByTestId('trace-list').waitFor();
    assert.equal(await frame.getByTestId('trace-view').count(), 0);
  } finally {
    await host.close();
  }
});

test('steps, LM calls, import report and help at every size (artifacts)', async () => {
  const page = await app.open();
  await load(page);
  for (const view of ['steps', 'lm-calls', 'report']) {
    await page.getByTestId(`view-${view}`).click();
    const replay = async (f) => { await load(f); await f.getByTestId(`view-${view}`).click(); };
    await screenshotAll(page, `view-${view}`, {
      replay,
      check: async (p, size) => {
        const scrolls = await p.evaluate(() => document.documentElement.scrollHeight > innerHeight + 1);
        assert.equal(scrolls, false, `${view} at ${size.name}: the page scrolls`);
      },
    });
  }
  await page.getByTestId('view-traces').click();
  await page.locator('.brand').click();
  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor();
  for (const size of SCREEN_SIZES.filter((s) => !s.iframe)) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await settled(page);
    const fits = await page.getByTestId('help').evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight + 1);
    assert.ok(fits, `help fits the window at ${size.name}`);
  }
  await screenshotAll(page, 'help', {
    replay: async (f) => { await load(f); await f.locator('button[aria-label="Keyboard shortcuts"]').click(); },
  });
  assert.deepEqual(page.errors, []);
});
