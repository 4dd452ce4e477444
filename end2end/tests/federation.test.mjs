// The Spasm network from the admin page: an admin adds a federation source (another forum,
// run from the same binary) and an RSS feed, and sees their state in words; a pulled post
// shows where it came from; pages advertise their RSS. Each with JavaScript on and off.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import { launchBrowser, newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { startServer } from '../harness/server.mjs';
import { author, publish } from '../harness/seed.mjs';

// The injected wallet's address (key 0x11…11) is B's admin.
const ADMIN = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local news</title><link>http://127.0.0.1/</link>
<item><title>A headline from a feed</title><link>https://news.example/headline</link>
<guid>news-1</guid><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
<description><![CDATA[<p>What the <b>feed</b> says.</p>]]></description></item>
</channel></rss>`;

const world = {};

before(async () => {
  world.a = await startServer();
  world.b = await startServer({
    env: { ADMINS: ADMIN, SPASM_OUTGOING_ALLOWED_HOSTS: '127.0.0.1' },
  });
  // A site with a feed, and a page that is not one.
  world.site = createServer((request, response) => {
    if (request.url === '/feed.xml') {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.end(FEED);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>Just a page</title>');
    }
  });
  await new Promise((done) => world.site.listen(0, '127.0.0.1', done));
  world.siteUrl = `http://127.0.0.1:${world.site.address().port}`;
  world.browser = await launchBrowser();
  world.postId = await publish(world.a.url, author(3), {
    action: 'post',
    title: 'Made on forum A',
    content: 'This post travels to forum B.',
  });
});

after(async () => {
  await world.browser?.close();
  await world.a?.stop();
  await world.b?.stop();
  world.site?.close();
});

/** Reloads the admin page until `check(page)` holds (the pulls run in the background). */
async function untilShown(page, check, what) {
  const started = Date.now();
  for (;;) {
    if (await check(page)) return;
    if (Date.now() - started > 40_000) {
      const shown = await page.locator('[data-testid="sources"]').textContent();
      throw new Error(`the admin page never showed ${what}: ${shown}`);
    }
    await new Promise((done) => setTimeout(done, 500));
    await page.reload();
  }
}

describe('federation from the admin page', () => {
  test('an admin adds a forum, a feed and a page that is not a feed, and sees their state', async () => {
    const context = await world.browser.newContext();
    await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${world.b.url}/admin`);
    await waitForHydration(page);
    await page.getByTestId('no-sources').waitFor();
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    const sources = [
      { url: `${world.a.url}/api/events`, name: 'forum-a' },
      { url: `${world.siteUrl}/feed.xml`, name: 'local-news' },
      { url: `${world.siteUrl}/page.html`, name: 'not-a-feed' },
    ];
    for (const source of sources) {
      await page.getByLabel('Address (a Spasm instance').fill(source.url);
      await page.getByLabel('Name shown on what it brings').fill(source.name);
      await page.getByRole('button', { name: 'Sign and add source' }).click();
      await page.locator(`[data-testid="source"][data-name="${source.name}"]`).waitFor();
    }
    const listed = await (await fetch(`${world.b.url}/api/federation-list`)).json();
    assert.deepEqual(listed.map((entry) => entry.name), ['forum-a', 'local-news', 'not-a-feed']);

    const source = (name) => page.locator(`[data-testid="source"][data-name="${name}"]`);
    await untilShown(page, async () => (await source('forum-a').getByTestId('source-taken').textContent()) === '1', 'forum A pulled');
    await untilShown(page, async () => (await source('local-news').getByTestId('source-taken').textContent()) === '1', 'the feed pulled');
    await untilShown(page, async () => (await source('not-a-feed').getByTestId('source-error').count()) === 1, 'the error');
    assert.match(await source('forum-a').textContent(), /a Spasm instance read completely/);
    assert.match(await source('local-news').textContent(), /an RSS or Atom feed/);
    assert.match(await source('not-a-feed').getByTestId('source-error').textContent(), /answered a web page \(text\/html\)/);

    // Pause the page that is not a feed, then pull the forum now.
    await waitForHydration(page);
    const connect = page.getByRole('button', { name: 'Connect wallet' });
    if (await connect.count()) await connect.click();
    await source('not-a-feed').getByRole('button', { name: 'Pause' }).click();
    await source('not-a-feed').getByText('paused', { exact: true }).waitFor();
    await source('forum-a').getByRole('button', { name: 'Pull now' }).click();
    await page.locator('[data-notice="success"]').first().waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    const mode = javaScriptEnabled ? 'on' : 'off';
    test(`with JavaScript ${mode} the admin page shows the sources' state in words`, async () => {
      const context = await world.browser.newContext({ javaScriptEnabled });
      const { page } = await newPage(context);
      await page.goto(`${world.b.url}/admin`);
      const forumA = page.locator('[data-testid="source"][data-name="forum-a"]');
      await forumA.waitFor();
      assert.notEqual(await forumA.getByTestId('source-success').textContent(), 'never');
      assert.match(await page.locator('[data-name="not-a-feed"] [data-testid="source-error"]').textContent(), /text\/html/);
      // Visitors see no controls.
      assert.equal(await page.getByRole('button', { name: 'Pull now' }).count(), 0);
      await context.close();
    });

    test(`with JavaScript ${mode} a pulled post says where it came from`, async () => {
      const context = await world.browser.newContext({ javaScriptEnabled });
      const { page } = await newPage(context);
      await page.goto(`${world.b.url}/news/${world.postId}`);
      await page.getByRole('heading', { name: 'Made on forum A' }).waitFor();
      await page.getByText('from forum-a').first().waitFor();
      await page.goto(`${world.b.url}/`);
      await page.getByText('A headline from a feed').first().waitFor();
      await page.getByText('from local-news').first().waitFor();
      await context.close();
    });

    test(`with JavaScript ${mode} the feed page advertises its RSS`, async () => {
      const context = await world.browser.newContext({ javaScriptEnabled });
      const { page } = await newPage(context);
      await page.goto(`${world.b.url}/`);
      const link = page.locator('head link[rel="alternate"][type="application/rss+xml"]');
      assert.equal(await link.getAttribute('href'), '/api/rss');
      const feed = await fetch(`${world.b.url}/api/rss`);
      assert.match(feed.headers.get('content-type'), /application\/rss\+xml/);
      const xml = await feed.text();
      assert.match(xml, /<spasmEnvelope>/);
      assert.match(xml, /Made on forum A/);
      await page.goto(`${world.b.url}/news/${world.postId}`);
      assert.match(await link.getAttribute('href'), /^\/api\/rss\?parentId=spasmid01/);
      await context.close();
    });
  }
});
