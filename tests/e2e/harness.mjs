// End-to-end harness: serves the release bundle (dist/) with Python's static
// file server on 127.0.0.1 and drives Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Needed as root in a container, and to keep Chromium off the (closed) network.
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitForHttp(url, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not come up`);
}

/** Starts the static server and the browser; returns helpers and a stop(). */
export async function start() {
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', join(ROOT, 'dist')], {
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}/`;
  await waitForHttp(base);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright gives every launch a fresh temporary profile (--user-data-dir).
    args: CHROMIUM_FLAGS,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    base,
    browser,
    /** A fresh page on `path` that records page errors and dialogs;
     * `init` (a self-contained function) runs in it before any page script. */
    async open(path = '', init = undefined) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.errors = [];
      page.dialogs = [];
      page.on('pageerror', (e) => page.errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
      page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss(); });
      if (init) await page.addInitScript(init);
      await page.goto(base + path);
      // The wasm app mounts after the load event; wait until it listens.
      await page.locator('html[data-spanscope=ready]').waitFor({ state: 'attached' });
      return page;
    },
    /** Serves a fixture from the same static server; returns its URL. */
    serveFixture(...parts) {
      const dir = join(ROOT, 'dist', 'e2e-fixtures');
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(FIXTURES, ...parts), join(dir, basename(join(...parts))));
      return `${base}e2e-fixtures/${basename(join(...parts))}`;
    },
    async stop() {
      await browser.close();
      server.kill();
    },
  };
}

/** Drops files on the page with a real `drop` event carrying a DataTransfer. */
export async function dropFiles(page, paths, target = 'body') {
  const files = paths.map((p) => ({ name: basename(p), b64: readFileSync(p).toString('base64') }));
  await page.evaluate(({ files, target }) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'application/json' }));
    }
    const el = document.querySelector(target);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, { files, target });
}

export function fixture(...parts) {
  return join(FIXTURES, ...parts);
}

/** Records the longest gap between animation frames from now on, in
 * `window.__maxFrameGap` (ms): how long the page could not paint. */
export async function watchFrames(page) {
  await page.evaluate(() => {
    window.__maxFrameGap = 0;
    let last = performance.now();
    const frame = (now) => {
      window.__maxFrameGap = Math.max(window.__maxFrameGap, now - last);
      last = now;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** Waits for the summary bar to read `expected` and returns it. */
export async function summary(page, expected) {
  const bar = page.getByTestId('load-summary');
  if (expected) await bar.filter({ hasText: expected }).waitFor({ timeout: 15000 });
  return bar.textContent();
}
