// Inputs from the outside world, as a reader sees them, with JavaScript on and off: a link
// with a right-to-left override (U+202E) reads in the order of its characters and leaves the
// text after it alone; a thread's reply counts follow a moderator's delete and an admin's
// restore on the post page and in the feed.

import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish, signBody } from '../harness/seed.mjs';

const MODERATOR = author(5);
const ADMIN = author(6);
const forum = useForum({
  env: {
    SPASM_SUBMITS_PER_MINUTE_PER_IP: '0',
    SPASM_SUBMITS_PER_MINUTE_PER_KEY: '0',
    MODERATORS: MODERATOR.address,
    ADMINS: ADMIN.address,
  },
});

async function post(event) {
  const response = await fetch(`${forum.server.url}/api/submit/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const message = await response.json();
  assert.ok(response.ok, `${response.status}: ${message}`);
  return message;
}

let seeding;
function seed() {
  seeding ??= (async () => {
    const url = forum.server.url;
    // `c09b-bidi-link.json` from shared/cases/outside-inputs, as a client sent it.
    await post(JSON.parse(await readFile(new URL('../fixtures/c09b-bidi-link.json', import.meta.url))));
    const [bidi] = await (await fetch(`${url}/api/events?limit=1`)).json();
    await post(JSON.parse(await readFile(new URL('../fixtures/c22-category-ampersand.json', import.meta.url))));
    const [category] = await (await fetch(`${url}/api/events?limit=1`)).json();
    const root = await publish(url, author(1), { action: 'post', title: 'Counted thread', content: 'Root' });
    const first = await publish(url, author(2), { action: 'reply', content: 'First reply', parent: root });
    await publish(url, author(3), { action: 'reply', content: 'Second reply', parent: root });
    await publish(url, author(4), { action: 'reply', content: 'An answer to the first reply', parent: first });
    return { bidi: bidi.ids[0].value, category: category.ids[0].value, root, first };
  })();
  return seeding;
}

/** Whether each character of the element's text is drawn right of the one before it. */
function charactersInOrder(element) {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let previous = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let index = 0; index < node.length; index += 1) {
      range.setStart(node, index);
      range.setEnd(node, index + 1);
      const box = range.getBoundingClientRect();
      if (box.width === 0) continue;
      // A new line starts anew.
      if (previous && Math.abs(box.top - previous.top) < 2 && box.left < previous.left) return false;
      previous = box;
    }
  }
  return true;
}

/** A post's page in a new browser context, hydrated when JavaScript is on. */
async function openPost(spasmid, javaScript) {
  const context = await forum.browser.newContext({ javaScriptEnabled: javaScript });
  const { page, errors } = await newPage(context);
  await page.goto(`${forum.server.url}/news/${spasmid}`);
  if (javaScript) await waitForHydration(page);
  return { context, page, errors };
}

async function counts(page, url, root) {
  await page.goto(`${url}/news/${root}`);
  const comments = await page.locator('#comments-title').textContent();
  await page.goto(`${url}/`);
  const card = page.locator('article.event-card', { hasText: 'Counted thread' });
  const replies = await card.locator('[data-count="replies"]').textContent();
  return [comments, replies];
}

for (const javaScript of [false, true]) {
  describe(`outside inputs with JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    test('a category with & in its name links to its own posts', async () => {
      const { category } = await seed();
      const { context, page, errors } = await openPost(category, javaScript);
      const link = page.locator('article.event a.category');
      assert.equal(await link.getAttribute('href'), '/?category=privacy%26activity%3Dhot');
      await link.click();
      await page.waitForURL(/category=privacy%26activity%3Dhot/);
      const titles = await page.locator('article.event-card h2').allTextContents();
      assert.deepEqual(titles.map((title) => title.trim()), ['category link']);
      // The filter is shown as the current one.
      const current = page.locator('.categories a[aria-current="page"]');
      assert.equal((await current.textContent()).trim(), 'privacy&activity=hot');
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('a link with U+202E is shown in the order of its characters', async () => {
      const { bidi } = await seed();
      const { context, page, errors } = await openPost(bidi, javaScript);
      const links = page.locator('article.event .event-body a');
      assert.equal(await links.count(), 2);
      for (const link of await links.all()) {
        const text = await link.textContent();
        assert.ok(!text.includes('\u202E'), text);
        assert.match(text, /%E2%80%AE3pm\.exe$/);
        assert.match(await link.getAttribute('href'), /^https:\/\/files\.example\/(about|song)%E2%80%AE3pm\.exe$/);
        assert.ok(await link.evaluate(charactersInOrder), `${text} is drawn reordered`);
      }
      // The check does see reordering: an open override is drawn backwards.
      const probe = `(${charactersInOrder})(Object.assign(document.body.appendChild(document.createElement('p')), { textContent: 'song\u202E3pm.exe' }))`;
      assert.equal(await page.evaluate(probe), false);
      // The text after the links reads as written.
      const paragraph = page.locator('article.event .event-body p', { hasText: 'plain text after' });
      assert.ok(await paragraph.evaluate(charactersInOrder));
      assert.match(await page.title(), /new song bidi link/);
      // Link previews read the description: no override reaches it.
      const description = await page.locator('meta[name="description"]').getAttribute('content');
      assert.ok(!description.includes('\u202E'), description);
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
}

describe('reply counts through a moderator\'s delete and an admin\'s restore', () => {
  test('the post page and the feed card count the whole discussion and agree, with JavaScript off and on', async () => {
    const { root, first } = await seed();
    const url = forum.server.url;
    const contexts = [false, true].map((javaScriptEnabled) => forum.browser.newContext({ javaScriptEnabled }));
    const pages = await Promise.all(contexts.map(async (context) => (await newPage(await context)).page));
    const expect = async (n) => {
      for (const page of pages) {
        assert.deepEqual(await counts(page, url, root), [`Comments (${n})`, n === 1 ? '1 comment' : `${n} comments`]);
      }
    };
    // Two replies to the post and one to the first of them: three comments, not two.
    await expect(3);
    await pages[0].goto(`${url}/news/${root}`);
    const firstSummary = pages[0].locator(`#c-${first} > details > summary`);
    assert.match(await firstSummary.textContent(), / · 1 reply$/);
    // The first reply goes with the answer below it.
    await post(await signBody(MODERATOR, { action: 'moderate', content: 'delete', parent: first }));
    await expect(1);
    await post(await signBody(ADMIN, { action: 'moderate', content: 'restore', parent: first }));
    await expect(3);
    for (const context of contexts) await (await context).close();
  });
});
