// What a user feels in the real app (release bundle, headless Chromium):
// time from picking a large file to the first trace rows, with the page's
// long tasks and frame gaps meanwhile (the parse runs in a worker); a
// 100k-span trace opened and its span tree scrolled; a list of 100k traces
// sorted and scrolled. Prints key=value lines; never asserts. Run by
// tests/bench/run.sh.
//
//   node tests/bench/ui_perf.mjs LEAN_100MB.json ONE_TRACE_100K.json
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, summary, watchFrames } from '../e2e/harness.mjs';
import { generateOtlp } from '../e2e/generate.mjs';

const [bigFile, oneTraceFile] = process.argv.slice(2);
const app = await start();

async function page() {
  const p = await app.open();
  await p.getByTestId('drop-zone').waitFor();
  await p.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  return p;
}

/** Scrolls a virtual list for 240 frames; frame-time percentiles and DOM rows. */
async function scrollFrames(p, testid, rowTestid) {
  return p.evaluate(async ({ testid, rowTestid }) => {
    const list = document.querySelector(`[data-testid=${testid}]`);
    const deltas = [];
    let last = performance.now();
    for (let i = 0; i < 240; i++) {
      list.scrollTop += 600;
      list.dispatchEvent(new Event('scroll'));
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      deltas.push(now - last);
      last = now;
    }
    deltas.sort((a, b) => a - b);
    return { p50: deltas[120], p95: deltas[228], max: deltas[239], rows: list.querySelectorAll(`[data-testid=${rowTestid}]`).length };
  }, { testid, rowTestid });
}

async function longTasks(p) {
  const tasks = await p.evaluate(() => window.__longTasks.splice(0));
  return { count: tasks.length, max: Math.round(Math.max(0, ...tasks)) };
}

// 1. A 100 MB file: pick → first rows.
{
  const p = await page();
  await watchFrames(p);
  const t0 = Date.now();
  await p.getByTestId('file-input').setInputFiles(bigFile);
  await p.getByTestId('trace-row').first().waitFor({ timeout: 120000 });
  const firstRowsMs = Date.now() - t0;
  const text = await summary(p);
  const tasks = await longTasks(p);
  const gap = await p.evaluate(() => window.__maxFrameGap);
  const handoff = await p.evaluate(() => performance.getEntriesByType('measure')
    .filter((m) => m.name.startsWith('spanscope:'))
    .map((m) => `${m.name.slice(11)} ${m.duration.toFixed(0)} ms`).join(', '));
  console.log(`# ${bigFile}: ${text}; on the page: ${handoff}`);
  console.log(`drop_to_first_rows_ms_100mb=${firstRowsMs}`);
  console.log(`load_longest_task_ms_100mb=${tasks.max}`);
  console.log(`load_long_tasks_100mb=${tasks.count}`);
  console.log(`load_max_frame_gap_ms_100mb=${gap.toFixed(0)}`);
  await p.close();
}

// 2. A 100k-span trace: open it, then scroll its span tree for 240 frames.
{
  const p = await page();
  await p.getByTestId('file-input').setInputFiles(oneTraceFile);
  await p.getByTestId('trace-row').first().waitFor({ timeout: 120000 });
  const tOpen = Date.now();
  await p.getByTestId('trace-row').first().click();
  await p.getByTestId('span-row').first().waitFor({ timeout: 120000 });
  const openMs = Date.now() - tOpen;
  await longTasks(p); // drop the load's tasks
  const frames = await scrollFrames(p, 'span-tree', 'span-row');
  const tasks = await longTasks(p);
  console.log(`# one trace: ${await summary(p)}; ${frames.rows} span rows in the DOM while scrolling`);
  console.log(`open_trace_ms_100k=${openMs}`);
  console.log(`scroll_frame_ms_p50_100k=${frames.p50.toFixed(1)}`);
  console.log(`scroll_frame_ms_p95_100k=${frames.p95.toFixed(1)}`);
  console.log(`scroll_long_tasks_100k=${tasks.count}`);
  console.log(`scroll_longest_task_ms_100k=${tasks.max}`);
  await p.close();
}

// 3. A list of 100k traces (two spans each): sort it, then scroll it.
{
  const file = join(tmpdir(), 'spanscope-100k-traces.json');
  writeFileSync(file, generateOtlp({ spans: 200000, perTrace: 2, padBytes: 40 }).parts.join(''));
  const p = await page();
  await p.getByTestId('file-input').setInputFiles(file);
  await p.getByTestId('trace-row').first().waitFor({ timeout: 120000 });
  await longTasks(p);
  const tSort = Date.now();
  await p.getByTestId('sort-duration').click();
  await p.getByTestId('sort-duration').click(); // the other direction
  const sortMs = (Date.now() - tSort) / 2;
  const sortTasks = await longTasks(p);
  const frames = await scrollFrames(p, 'trace-rows', 'trace-row');
  const tasks = await longTasks(p);
  console.log(`# trace list: ${await summary(p)}; ${frames.rows} trace rows in the DOM while scrolling`);
  console.log(`sort_ms_100k_traces=${sortMs.toFixed(0)}`);
  console.log(`sort_longest_task_ms_100k_traces=${sortTasks.max}`);
  console.log(`scroll_frame_ms_p50_100k_traces=${frames.p50.toFixed(1)}`);
  console.log(`scroll_frame_ms_p95_100k_traces=${frames.p95.toFixed(1)}`);
  console.log(`scroll_long_tasks_100k_traces=${tasks.count}`);
  await p.close();
  rmSync(file);
}
await app.stop();
