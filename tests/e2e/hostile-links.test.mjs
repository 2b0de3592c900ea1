// Hostile links: a #url= (or the landing page's URL box) is written by
// whoever shared it. Downloads are bounded and say why they stopped, errors
// blame CORS only when there was no answer, a redirect to another site is
// said, other schemes are refused from any box, and a link that failed
// leaves no url= behind once a file is opened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { start, dropFiles, fixture, summary } from './harness.mjs';

const RAG = readFileSync(fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json'));

let app;
let server;
let port;
/** Requests the server saw close before it finished them, by path. */
const closed = new Map();

function serve() {
  return new Promise((ready) => {
    const cors = { 'Access-Control-Allow-Origin': '*' };
    server = createServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      res.on('close', () => { if (!res.writableFinished) closed.set(path, true); });
      switch (path) {
        case '/trace.json':
          res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(RAG);
          break;
        case '/huge.json':
          // Says 5 GB, sends one byte, and holds the connection.
          res.writeHead(200, { ...cors, 'Content-Length': '5000000000' });
          res.write('{');
          break;
        case '/missing.json':
          res.writeHead(404, cors).end('not here');
          break;
        case '/boom.json':
          res.writeHead(500, cors).end('boom');
          break;
        case '/no-cors.json':
          res.writeHead(200).end(RAG);
          break;
        case '/moved.json':
          res.writeHead(302, { ...cors, Location: `http://localhost:${port}/trace.json` }).end();
          break;
        case '/slow.json':
          res.writeHead(200, cors);
          res.write('{"resourceSpans": [');
          break; // never ends
        default:
          res.writeHead(404, cors).end();
      }
    });
    server.listen(0, '127.0.0.1', () => { port = server.address().port; ready(); });
  });
}

before(async () => { app = await start(); await serve(); });
after(async () => { server?.closeAllConnections(); server?.close(); await app?.stop(); });

const at = (path) => `http://127.0.0.1:${port}${path}`;
const link = (path) => `#url=${encodeURIComponent(at(path))}`;

async function banner(page) {
  const el = page.getByTestId('error-banner');
  await el.waitFor();
  return el.textContent();
}

test('a link to a 5 GB file is refused by its Content-Length, names the limit, and lets go of the connection', async () => {
  const page = await app.open(link('/huge.json'));
  const text = await banner(page);
  assert.match(text, /huge\.json: the file is 5 GB \(Content-Length\), more than the 1536 MiB a link may download/);
  await page.getByTestId('progress').waitFor({ state: 'detached' });
  for (let i = 0; i < 100 && !closed.get('/huge.json'); i++) await page.waitForTimeout(50);
  assert.equal(closed.get('/huge.json'), true, 'the download was not stopped');
  // The page is usable: the URL box is there and a file opens.
  await dropFiles(page, [fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json')]);
  await summary(page, '28 spans');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('HTTP 404 and 500 say the status and never blame CORS; only a request without an answer does', async () => {
  for (const [path, status] of [['/missing.json', /HTTP 404 Not Found/], ['/boom.json', /HTTP 500 Internal Server Error/]]) {
    const page = await app.open(link(path));
    const text = await banner(page);
    assert.match(text, status);
    assert.doesNotMatch(text, /CORS|cross-origin|Access-Control/i);
    await page.close();
  }
  const page = await app.open(link('/no-cors.json'));
  assert.match(await banner(page), /no-cors\.json: the request failed .*CORS/);
  await page.close();
});

test('a redirect to another site is followed, and the page says where the file came from', async () => {
  const page = await app.open(link('/moved.json'));
  assert.equal(await summary(page, '28 spans'), '4 traces · 1 failed · 28 spans · 4 LM calls');
  const final = `http://localhost:${port}/trace.json`;
  const text = await banner(page);
  assert.ok(text.includes(`${at('/moved.json')} redirected to ${final}: the trace shown came from http://localhost:${port}`), text);
  // The link still names what was shared; the file is named by its source.
  assert.match(await page.evaluate(() => location.hash), new RegExp(`url=${encodeURIComponent(at('/moved.json')).replace(/[.]/g, '\\.')}`));
  await page.getByTestId('view-report').click();
  assert.equal(await page.getByTestId('report-file').locator('h3').textContent(), final);
  await page.close();
});

test('the landing page URL box refuses what a #url= link refuses', async () => {
  const page = await app.open();
  const requests = [];
  page.context().on('request', (r) => requests.push(r.url()));
  for (const typed of ['data:application/json,{"resourceSpans":[]}', 'javascript:alert(1)']) {
    const box = page.getByTestId('url-input');
    await box.click();
    await box.press('Control+a');
    await page.keyboard.type(typed, { delay: 5 });
    await page.keyboard.press('Enter');
    const text = await banner(page);
    assert.ok(text.includes(`${typed}: only http and https addresses are opened`), text);
    await page.getByRole('button', { name: 'Dismiss' }).click();
  }
  assert.equal(await page.getByTestId('drop-zone').count(), 1);
  assert.deepEqual(requests.filter((u) => !u.startsWith('http')), []);
  assert.deepEqual(page.dialogs, []);
  // An http(s) address typed there opens.
  const box = page.getByTestId('url-input');
  await box.click();
  await box.press('Control+a');
  await page.keyboard.type(at('/trace.json'), { delay: 5 });
  await page.keyboard.press('Enter');
  await summary(page, '28 spans');
  await page.close();
});

test('after a failed or cancelled link, opening a file leaves no url= behind, in the address or in Copy link', async () => {
  const captureCopies = () => {
    window.__copied = [];
    Object.defineProperty(navigator.clipboard, 'writeText', { value: async (text) => { window.__copied.push(text); } });
  };
  for (const how of ['failed', 'cancelled']) {
    const path = how === 'failed' ? '/missing.json' : '/slow.json';
    const page = await app.open(link(path), captureCopies);
    if (how === 'failed') {
      await banner(page);
    } else {
      await page.getByTestId('progress').waitFor();
      await page.getByTestId('cancel-load').click();
      await page.getByTestId('progress').waitFor({ state: 'detached' });
    }
    await dropFiles(page, [fixture('otlp-json', 'dspy-rag.openinference.otlp-http-json.json')]);
    await summary(page, '28 spans');
    await page.getByTestId('trace-row').first().click();
    await page.waitForFunction(() => location.hash.includes('trace='));
    const hash = await page.evaluate(() => location.hash);
    assert.doesNotMatch(hash, /url=/, `${how}: ${hash}`);
    await page.getByTestId('copy-link').click();
    const copied = await page.evaluate(() => window.__copied.at(-1));
    assert.ok(copied.endsWith(hash) && !copied.includes('url='), `${how}: copied ${copied}`);
    await page.close();
  }
});
