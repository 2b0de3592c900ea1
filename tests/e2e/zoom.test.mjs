// Zooming the waterfall as a user does it: drag across the time axis (or
// the bars) to a window, read the bars and ticks there, reset; a short click
// on a row still selects its span.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, dropFiles, fixture, summary } from './harness.mjs';

// MultiHop.forward, 176 ms, 18 spans (tests/snapshots/…otlp-json__dspy-multihop…):
// three ChainOfThought steps with a Retrieve.forward between each two.
const FILE = ['otlp-json', 'dspy-multihop.openinference.otlp-http-json.json'];
const TRACE = '3493df07307e06b85c10b58ce606067e';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

async function openTrace(traceId = TRACE) {
  const page = await app.open();
  await page.getByTestId('drop-zone').waitFor();
  await dropFiles(page, [fixture(...FILE)]);
  await summary(page, '44 spans');
  await page.locator(`[data-testid=trace-row][data-trace-id="${traceId}"]`).click();
  await page.getByTestId('span-row').first().waitFor();
  return page;
}

/** Per span id: its bar's box and classes and its duration label. */
function bars(page) {
  return page.$$eval('[data-testid=span-row]', (rows) => Object.fromEntries(rows.map((row) => {
    const bar = row.querySelector('.bar');
    const box = bar.getBoundingClientRect();
    return [row.dataset.spanId, {
      x: box.x, width: box.width, className: bar.className,
      label: row.querySelector('.bar-label').textContent,
    }];
  })));
}

function ticks(page) {
  return page.locator('[data-testid=waterfall-axis] .tick').allTextContents();
}

/** Where the bars go in an element (its padding box), in page pixels. */
function track(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.x + el.clientLeft, width: el.clientWidth, y: r.y + r.height / 2 };
  });
}

/** The span ids of the rows, in order. */
async function rowIds(page) {
  return page.getByTestId('span-row').evaluateAll((rows) => rows.map((r) => r.dataset.spanId));
}

test('dragging across the axis zooms to that window; reset brings the whole trace back', async () => {
  const page = await openTrace();
  const ids = await rowIds(page);
  assert.equal(ids.length, 18);
  const before = await bars(page);
  const ticksBefore = await ticks(page);
  assert.ok(ticksBefore.length >= 4 && ticksBefore.length <= 8, `ticks: ${ticksBefore}`);
  assert.equal(await page.getByTestId('zoom-reset').count(), 0);

  // The window: the second retrieval (87.7 ms + 2.50 ms), a few pixels each side.
  const retrieve = page.locator('[data-testid=span-row][data-kind=retriever]').nth(1);
  const retrieveId = await retrieve.getAttribute('data-span-id');
  const rowTrack = await track(retrieve.locator('.bar-col'));
  const axis = await track(page.getByTestId('waterfall-axis'));
  const toAxis = (x) => axis.left + ((x - rowTrack.left) / rowTrack.width) * axis.width;
  const from = toAxis(before[retrieveId].x) - 3;
  const to = toAxis(before[retrieveId].x + before[retrieveId].width) + 3;

  await page.mouse.move(from, axis.y);
  await page.mouse.down();
  await page.mouse.move((from + to) / 2, axis.y, { steps: 3 });
  await page.getByTestId('zoom-band').first().waitFor(); // the selection shows while dragging
  await page.mouse.move(to, axis.y, { steps: 3 });
  await page.mouse.up();

  await page.getByTestId('zoom-reset').waitFor();
  assert.equal(await page.getByTestId('zoom-band').count(), 0);
  assert.match(await page.getByTestId('zoom-window').textContent(), /^[\d.]+ ms – [\d.]+ ms of 176 ms$/);
  const ticksZoomed = await ticks(page);
  assert.notDeepEqual(ticksZoomed, ticksBefore);
  assert.ok(ticksZoomed.length >= 4 && ticksZoomed.length <= 8, `ticks: ${ticksZoomed}`);
  assert.ok(ticksZoomed.every((t) => /^\d+(\.\d+)? ms$/.test(t)), `ticks: ${ticksZoomed}`);

  const zoomed = await bars(page);
  // Inside the window: much wider than before, its label unchanged.
  assert.ok(zoomed[retrieveId].width > 5 * before[retrieveId].width,
    `retrieval bar ${before[retrieveId].width}px → ${zoomed[retrieveId].width}px`);
  assert.equal(zoomed[retrieveId].label, before[retrieveId].label);
  assert.doesNotMatch(zoomed[retrieveId].className, /off-window/);
  // The first step (ends at ~20 ms) lies before the window: an edge marker.
  assert.match(zoomed[ids[1]].className, /\boff-window\b/);
  assert.match(zoomed[ids[1]].className, /\boff-before\b/);
  assert.equal(zoomed[ids[1]].label, before[ids[1]].label);
  // The root crosses both edges: clipped, and marked as going on.
  assert.match(zoomed[ids[0]].className, /\bclip-start\b/);
  assert.match(zoomed[ids[0]].className, /\bclip-end\b/);
  // A drag is no click: nothing got selected.
  assert.equal(await page.getByTestId('span-detail').count(), 0);

  await page.getByTestId('zoom-reset').click();
  await page.getByTestId('zoom-bar').waitFor({ state: 'detached' });
  assert.deepEqual(await ticks(page), ticksBefore);
  const after = await bars(page);
  for (const id of ids) {
    assert.equal(after[id].className, before[id].className, id);
    assert.ok(Math.abs(after[id].x - before[id].x) < 0.5, `${id} x ${before[id].x} → ${after[id].x}`);
    assert.ok(Math.abs(after[id].width - before[id].width) < 0.5, `${id} width`);
  }
  assert.deepEqual(page.errors, []);
});

test('a short click in the bar column selects the span; a drag there zooms instead', async () => {
  const page = await openTrace();
  const row = page.getByTestId('span-row').nth(2);
  const col = await track(row.locator('.bar-col'));
  // A click that wobbles by 2 px is still a click.
  const x = col.left + col.width * 0.6;
  await page.mouse.move(x, col.y);
  await page.mouse.down();
  await page.mouse.move(x + 2, col.y);
  await page.mouse.up();
  await page.getByTestId('span-detail').waitFor();
  assert.match(await row.getAttribute('class'), /\bselected\b/);
  assert.equal(await page.getByTestId('zoom-reset').count(), 0);

  // Dragging across the bars of another row zooms, and leaves the selection alone.
  const other = page.getByTestId('span-row').nth(7);
  const otherCol = await track(other.locator('.bar-col'));
  await page.mouse.move(otherCol.left + otherCol.width * 0.2, otherCol.y);
  await page.mouse.down();
  await page.mouse.move(otherCol.left + otherCol.width * 0.5, otherCol.y, { steps: 4 });
  await page.mouse.up();
  await page.getByTestId('zoom-reset').waitFor();
  assert.match(await row.getAttribute('class'), /\bselected\b/);
  assert.doesNotMatch(await other.getAttribute('class'), /\bselected\b/);
  assert.deepEqual(page.errors, []);
});

test('double-clicking a bar zooms to its span; opening another trace drops the zoom', async () => {
  const page = await openTrace();
  const retrieve = page.locator('[data-testid=span-row][data-kind=retriever]').first();
  await retrieve.click();
  await page.getByTestId('span-detail').waitFor();
  await retrieve.locator('.bar-col').dblclick();
  await page.getByTestId('zoom-reset').waitFor();
  // The span fills the window but for a margin of a tenth of it each side.
  const bar = await retrieve.locator('.bar').boundingBox();
  const col = await track(retrieve.locator('.bar-col'));
  assert.ok(bar.width > 0.75 * col.width && bar.width < 0.9 * col.width, `${bar.width} of ${col.width}`);
  assert.match(await page.getByTestId('zoom-window').textContent(), / of 176 ms$/);

  const otherTrace = page.locator(`[data-testid=trace-row]:not([data-trace-id="${TRACE}"])`).first();
  await otherTrace.click();
  await page.getByTestId('zoom-bar').waitFor({ state: 'detached' });
  await page.locator(`[data-testid=trace-row][data-trace-id="${TRACE}"]`).click();
  await page.getByTestId('span-row').first().waitFor();
  assert.equal(await page.getByTestId('zoom-bar').count(), 0);
  assert.deepEqual(page.errors, []);
});
