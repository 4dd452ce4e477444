// Weighs a first and a repeat visit of every main page as a browser receives it (not a test):
// `cargo xtask weigh`, or `node weigh.mjs` with SPASM_FORUM_BIN set after `cargo xtask build`.
//
// Headless Chromium, a fresh profile per page, JavaScript on, the CPU slowed 4× through the
// DevTools protocol (Emulation.setCPUThrottlingRate), on loopback. For each page it prints:
// requests, bytes transferred (Network.loadingFinished's encodedDataLength: headers and
// body as they crossed the wire, compressed), of which the page's HTML and the wasm (fetched
// by the glue), first contentful paint, when the bundle's
// JavaScript started the wasm (its first WebAssembly.instantiate call), and when the page was interactive (the
// `data-hydrated` marker on <html>); then the same page visited again in the same profile.
//
// Timings on a shared machine vary by a third from one visit to the next: each page is weighed
// `--runs N` times (3 by default), each time in a fresh profile, and the table gives the
// median of each timing, with the range of the time to interactive.
//
// Options: `--json FILE` also writes every run's figures as JSON; `--cpu N` changes the
// slowdown; `--runs N` the number of visits per page.

import { writeFile } from 'node:fs/promises';

import { launchBrowser } from './harness/browser.mjs';
import { author, publish } from './harness/seed.mjs';
import { startServer } from './harness/server.mjs';

const argument = (name) => {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
};
const cpuSlowdown = Number(argument('--cpu') ?? 4);
const jsonOut = argument('--json');
const runs = Math.max(1, Number(argument('--runs') ?? 3));

const ADMIN = author(0);
const server = await startServer({
  env: {
    ADMINS: ADMIN.address.toLowerCase(),
    SPASM_SUBMITS_PER_MINUTE_PER_IP: '0',
    SPASM_SUBMITS_PER_MINUTE_PER_KEY: '0',
  },
});
const browser = await launchBrowser();
try {
  const pages = await seed(server.url);
  // One unmeasured visit first: Chromium's own start-up (its first renderer and compiler
  // threads) would otherwise be counted against whichever page comes first.
  await weigh(browser, server.url, 'warm-up', pages[0][1]);
  const rows = [];
  for (const [name, path] of pages) {
    const visits = [];
    for (let run = 0; run < runs; run += 1) visits.push(await weigh(browser, server.url, name, path));
    rows.push({ name, path, visits });
  }
  printTable(rows);
  if (jsonOut) await writeFile(jsonOut, JSON.stringify(rows, null, 2));
} finally {
  await browser.close();
  await server.stop();
}

/** 30 posts by 15 authors, one with 50 comments in threads up to six deep. */
async function seed(url) {
  const words = 'Signed posts travel between instances and relays; every key speaks for itself, '
    + 'and the server checks every signature before it stores a word. ';
  let thread;
  for (let index = 0; index < 30; index += 1) {
    const id = await publish(url, author(1 + (index % 15)), {
      action: 'post',
      title: `Post ${index + 1}: what a forum for signed messages needs`,
      content: `${words.repeat(3)}\n\nSome **markdown**, a [link](https://example.com) and a list:\n\n- one\n- two`,
      category: index % 3 ? 'defi' : 'privacy',
      timestamp: 1_760_000_000_000 + index * 60_000,
    });
    if (index === 20) thread = id;
  }
  const parents = [thread];
  for (let index = 0; index < 50; index += 1) {
    // Each fifth comment starts a new branch; the others answer the previous one (to depth 6).
    const parent = index % 5 === 0 ? thread : parents[parents.length - 1];
    const id = await publish(url, author(1 + (index % 15)), {
      action: 'reply',
      parent,
      content: `Comment ${index + 1}. ${words}`,
      timestamp: 1_760_100_000_000 + index * 60_000,
    });
    parents.push(id);
  }
  return [
    ['feed', '/'],
    ['post, 50 comments', `/news/${thread}`],
    ['author', `/authors/${author(1).address.toLowerCase()}`],
    ['new post', '/newpost'],
    ['admin', '/admin'],
  ];
}

/** One page: a first visit in a fresh profile, then a repeat visit in the same profile. */
async function weigh(browser, url, name, path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    // When the bundle's JavaScript starts the wasm (the glue instantiates the module).
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        window.__bundleRunsAt ??= performance.now();
        return original.apply(this, args);
      };
    }
    // When the wasm takes over the page (the marker appears on <html>).
    new MutationObserver((_, observer) => {
      if (document.documentElement.dataset.hydrated === 'true') {
        window.__interactiveAt = performance.now();
        observer.disconnect();
      }
      // The document has no <html> yet when this runs: watch the whole document.
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
  const visit = async () => {
    const transfers = new Map();
    const kinds = new Map();
    const onFinished = (event) => transfers.set(event.requestId, event.encodedDataLength);
    const onResponse = (event) => kinds.set(
      event.requestId,
      event.response.url.endsWith('.wasm') ? 'wasm' : event.type,
    );
    cdp.on('Network.loadingFinished', onFinished);
    cdp.on('Network.responseReceived', onResponse);
    await page.goto(`${url}${path}`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__interactiveAt !== undefined, null, { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    cdp.off('Network.loadingFinished', onFinished);
    cdp.off('Network.responseReceived', onResponse);
    const timing = await page.evaluate(() => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const navigation = performance.getEntriesByType('navigation')[0];
      return {
        firstContentfulPaint: paint ? paint.startTime : null,
        received: navigation ? navigation.responseEnd : null,
        parsed: navigation ? navigation.domContentLoadedEventStart : null,
        bundleStarted: window.__bundleRunsAt ?? null,
        interactive: window.__interactiveAt,
      };
    });
    const bytes = [...transfers.values()].reduce((sum, size) => sum + size, 0);
    const bytesOf = (type) => [...transfers].filter(([id]) => kinds.get(id) === type)
      .reduce((sum, [, size]) => sum + size, 0);
    return { requests: transfers.size, bytes, html: bytesOf('Document'), wasm: bytesOf('wasm'), ...timing };
  };
  const first = await visit();
  const repeat = await visit();
  await context.close();
  return { name, path, first, repeat };
}

function printTable(rows) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value) => (value === null || value === undefined ? '-' : `${Math.round(value)} ms`);
  console.log(`\nCPU slowed ${cpuSlowdown}×, loopback, fresh profile per visit, median of ${runs} visits per page; repeat = same page again in that profile\n`);
  const header = ['page', 'requests', 'transferred', 'of which HTML', 'of which wasm', 'received', 'first paint', 'parsed', 'bundle runs', 'interactive', 'painted first', 'repeat: requests', 'repeat: transferred'];
  const median = (values) => {
    const known = values.filter((value) => value !== null && value !== undefined).sort((a, b) => a - b);
    return known.length === 0 ? null : known[Math.floor((known.length - 1) / 2)];
  };
  const lines = rows.map(({ name, visits }) => {
    const { first, repeat } = visits[0];
    const timing = (field) => median(visits.map((visit) => visit.first[field]));
    const interactive = visits.map((visit) => visit.first.interactive);
    const paintedFirst = visits.filter(({ first: visit }) => visit.firstContentfulPaint !== null
      && visit.bundleStarted !== null && visit.firstContentfulPaint <= visit.bundleStarted).length;
    return [
      name,
      String(first.requests),
      kb(first.bytes),
      kb(first.html),
      kb(first.wasm),
      ms(timing('received')),
      ms(timing('firstContentfulPaint')),
      ms(timing('parsed')),
      ms(timing('bundleStarted')),
      `${ms(timing('interactive'))} (${Math.round(Math.min(...interactive))}–${Math.round(Math.max(...interactive))})`,
      `${paintedFirst}/${visits.length}`,
      String(repeat.requests),
      kb(repeat.bytes),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}
