// End-to-end harness: serves the release bundle (dist/) with Python's static
// file server on 127.0.0.1 and drives Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');
/** Committed screenshots (the README shows some of them). */
export const SCREENSHOTS = join(ROOT, 'tests', 'e2e', 'screenshots');

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

/** Drops files made in the test (`[{ name, text }]`) with a real `drop` event. */
export async function dropTexts(pageOrFrame, files, target = 'body') {
  await pageOrFrame.evaluate(({ files, target }) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
    const el = document.querySelector(target);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, { files, target });
}

/** Types into a text field as a person does: click it, select what is
 * there and delete it with the keyboard, then type key by key. */
export async function typeInto(page, locator, text, { delay = 30 } = {}) {
  await locator.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay });
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

/** Window sizes every view is checked at: a desktop, a laptop, a small
 * laptop, and a 700×400 iframe (an app embedded in documentation). */
export const SCREEN_SIZES = [
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '1280x800', width: 1280, height: 800 },
  { name: '1024x700', width: 1024, height: 700 },
  { name: '700x400-iframe', width: 700, height: 400, iframe: true },
];
export const THEMES = ['light', 'dark'];

/** Waits until the page has laid out and painted twice (after a resize). */
export async function settled(pageOrFrame) {
  await pageOrFrame.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/** A host page on the app's server that embeds the app in a 700×400 iframe
 * (`#app`) at the hash it is opened with. Returns its URL. */
function embedPage(page) {
  const html = '<!doctype html><meta charset="utf-8"><title>embed</title>'
    + '<body style="margin:0;padding:20px;background:#888">'
    + '<iframe id="app" style="width:700px;height:400px;border:0;display:block"></iframe>'
    + '<script>document.getElementById("app").src = "./index.html" + location.hash;</script>';
  writeFileSync(join(ROOT, 'dist', 'e2e-embed.html'), html);
  return new URL('e2e-embed.html', page.url()).href;
}

/** Opens the app in a 700×400 iframe on a host page, at `hash`, in `theme`;
 * returns `{ host, frame }` (close `host` when done). */
export async function openEmbedded(page, hash = '', theme = 'light') {
  const host = await page.context().browser().newPage();
  host.errors = [];
  host.on('pageerror', (e) => host.errors.push(String(e)));
  await host.emulateMedia({ colorScheme: theme });
  await host.setViewportSize({ width: 740, height: 440 });
  await host.goto(embedPage(page) + hash);
  const handle = await host.locator('#app').elementHandle();
  const frame = await handle.contentFrame();
  await frame.locator('html[data-spanscope=ready]').waitFor({ state: 'attached' });
  return { host, frame };
}

/**
 * Screenshots of what `page` shows now, at every size of SCREEN_SIZES, in
 * light and dark: `<name>-<size>-<theme>.png`, in tests/e2e/screenshots
 * when `commit` (a modest set: the main views, shown in the README) and
 * in tests/e2e/artifacts otherwise (not committed; look at them after a
 * run). The page's view stays as it was, its viewport and colour scheme
 * are restored.
 *
 * The 700×400 shot is of a fresh app in an iframe (a new page that embeds
 * it at the page's URL hash): `replay(frame)` brings it to the same view
 * (drop the same files, click the same things; a Playwright Frame has
 * getByTestId, locator and evaluate, so dropFiles(frame, …) works). A
 * `#url=` view needs no replay. `check(pageOrFrame, size)` runs at each
 * size before the shots (layout assertions). Returns the paths written.
 *
 *   await screenshotAll(page, 'steps', { replay: async (f) => { … } });
 */
export async function screenshotAll(page, name, { commit = false, replay, check } = {}) {
  const dir = commit ? SCREENSHOTS : ARTIFACTS;
  mkdirSync(dir, { recursive: true });
  const viewport = page.viewportSize();
  const written = [];
  try {
    for (const size of SCREEN_SIZES) {
      if (size.iframe) {
        const hash = await page.evaluate(() => location.hash);
        for (const theme of THEMES) {
          const { host, frame } = await openEmbedded(page, hash, theme);
          try {
            if (replay) await replay(frame);
            await settled(frame);
            if (check && theme === THEMES[0]) await check(frame, size);
            const path = join(dir, `${name}-${size.name}-${theme}.png`);
            await host.locator('#app').screenshot({ path });
            written.push(path);
            if (host.errors.length) throw new Error(`embedded app: ${host.errors.join('; ')}`);
          } finally {
            await host.close();
          }
        }
        continue;
      }
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const theme of THEMES) {
        await page.emulateMedia({ colorScheme: theme });
        await settled(page);
        if (check && theme === THEMES[0]) await check(page, size);
        const path = join(dir, `${name}-${size.name}-${theme}.png`);
        await page.screenshot({ path });
        written.push(path);
      }
    }
  } finally {
    await page.emulateMedia({ colorScheme: null });
    if (viewport) await page.setViewportSize(viewport);
  }
  return written;
}
