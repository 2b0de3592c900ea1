// What a user feels in the real app (release bundle, headless Chromium):
// time from picking a large file to the first trace rows, and main-thread
// long tasks (> 50 ms) while scrolling the span tree of a 100k-span trace.
// Prints key=value lines; never asserts. Run by tests/bench/run.sh.
//
//   node tests/bench/ui_perf.mjs LEAN_100MB.json ONE_TRACE_100K.json
import { start, summary } from '../e2e/harness.mjs';

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

async function longTasks(p) {
  const tasks = await p.evaluate(() => window.__longTasks.splice(0));
  return { count: tasks.length, max: Math.round(Math.max(0, ...tasks)) };
}

// 1. A 100 MB file: pick → first rows.
{
  const p = await page();
  const t0 = Date.now();
  await p.getByTestId('file-input').setInputFiles(bigFile);
  await p.getByTestId('trace-row').first().waitFor({ timeout: 120000 });
  const firstRowsMs = Date.now() - t0;
  const text = await summary(p);
  const tasks = await longTasks(p);
  console.log(`# ${bigFile}: ${text}`);
  console.log(`drop_to_first_rows_ms_100mb=${firstRowsMs}`);
  console.log(`load_longest_task_ms_100mb=${tasks.max}`);
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
  const frames = await p.evaluate(async () => {
    const list = document.querySelector('[data-testid=span-tree]');
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
    return { p50: deltas[120], p95: deltas[228], max: deltas[239], rows: list.querySelectorAll('[data-testid=span-row]').length };
  });
  const tasks = await longTasks(p);
  console.log(`# one trace: ${await summary(p)}; ${frames.rows} span rows in the DOM while scrolling`);
  console.log(`open_trace_ms_100k=${openMs}`);
  console.log(`scroll_frame_ms_p50_100k=${frames.p50.toFixed(1)}`);
  console.log(`scroll_frame_ms_p95_100k=${frames.p95.toFixed(1)}`);
  console.log(`scroll_long_tasks_100k=${tasks.count}`);
  console.log(`scroll_longest_task_ms_100k=${tasks.max}`);
}
await app.stop();
