// Every main page as keyboards, screen readers and small screens meet it: axe-core finds no
// violation in either theme at phone and desktop widths, nothing scrolls sideways, and the
// skip link takes the keyboard to the content; reacting and replying keep the keyboard in place.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { axeViolations } from '../harness/axe.mjs';
import { newPage, waitForHydration } from '../harness/browser.mjs';
import { useForum } from '../harness/forum.mjs';
import { installProviders } from '../harness/providers.mjs';
import { author, publish } from '../harness/seed.mjs';

const forum = useForum();

/** A post with a thread sixteen levels deep and a reaction; resolves with the main pages' paths. */
async function seedPages(url) {
  const post = await publish(url, author(1), {
    action: 'post',
    title: 'A thread to read with any device',
    content: 'Text with [a link](https://example.com/a) inside a sentence, and **bold** words.',
    timestamp: 1_760_000_000_000,
    category: 'defi',
  });
  let parent = post;
  for (let depth = 0; depth < 16; depth += 1) {
    parent = await publish(url, author(2 + (depth % 3)), {
      action: 'reply',
      parent,
      content: `A reply at depth ${depth + 1}, with [a link](https://example.com/${depth}) and a long word: ${'x'.repeat(60)}.`,
      timestamp: 1_760_000_060_000 + depth * 1_000,
    });
  }
  await publish(url, author(3), { action: 'react', parent: post, content: 'upvote', timestamp: 1_760_000_120_000 });
  return ['/', `/news/${post}`, `/authors/${author(1).address.toLowerCase()}`, '/newpost', '/admin', '/about', '/search?q=thread+link', '/mutes'];
}

test('no axe-core violation on any main page, in either theme, at 390 and 1280 px; nothing scrolls sideways down to 320 px', async () => {
  const url = forum.server.url;
  const paths = await seedPages(url);
  const found = [];
  for (const width of [320, 390, 1280]) {
    for (const colorScheme of ['light', 'dark']) {
      const context = await forum.browser.newContext({ viewport: { width, height: 800 }, colorScheme });
      const { page, errors } = await newPage(context);
      for (const path of paths) {
        await page.goto(`${url}${path}`);
        await waitForHydration(page);
        const where = `${path} at ${width} px, ${colorScheme}`;
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) found.push(`${where}: ${overflow} px wider than the screen`);
        if (width !== 320) for (const violation of await axeViolations(page)) found.push(`${where}: ${violation}`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  }
  assert.deepEqual(found, []);
});

test('the skip link takes the keyboard to the content, JavaScript on and off', async () => {
  const url = forum.server.url;
  for (const javaScriptEnabled of [true, false]) {
    const context = await forum.browser.newContext({ javaScriptEnabled });
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/`);
    if (javaScriptEnabled) await waitForHydration(page);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await page.keyboard.press('Tab');
    assert.ok(
      await page.evaluate(() => document.getElementById('main').contains(document.activeElement)),
      `the next Tab stays in the content (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`,
    );
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the keyboard stays where it was after reacting, and a reply opens the page at the reply', async () => {
  const url = forum.server.url;
  const post = await publish(url, author(1), { action: 'post', title: 'Keyboard thread', content: 'Read me', timestamp: 1_760_000_000_000 });
  const comment = await publish(url, author(2), { action: 'reply', parent: post, content: 'A comment to answer', timestamp: 1_760_000_060_000 });
  const context = await forum.browser.newContext();
  await installProviders(context);
  const { page, errors } = await newPage(context);
  await page.goto(`${url}/news/${post}`);
  await waitForHydration(page);

  const upvote = page.locator(`#c-${comment} button[data-reaction="upvote"]`);
  await upvote.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.querySelector(`#c-${id} button[data-reaction="upvote"] .count`)?.textContent === '1', comment);
  assert.equal(
    await page.evaluate(() => document.activeElement?.dataset.reaction),
    'upvote',
    'focus stays on the reaction just counted',
  );

  const toggle = page.locator(`#c-${comment}`).getByRole('button', { name: 'Reply', exact: true });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const field = page.locator(`#c-${comment}`).getByLabel('Your reply to this comment');
  await field.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA', 'the keyboard goes to the new form');
  await page.keyboard.type('Answered by keyboard');
  // The page loads again at the new reply, which is the target: on screen and highlighted.
  const entries = await page.evaluate(() => history.length);
  await Promise.all([
    page.waitForEvent('load'),
    page.locator(`#c-${comment}`).getByRole('button', { name: 'Sign and reply' }).click(),
  ]);
  assert.match(await page.evaluate(() => location.hash), /^#c-spasmid01/);
  await waitForHydration(page);
  const target = page.locator('.comment:target');
  assert.match(await target.locator('.event-body').first().textContent(), /Answered by keyboard/);
  assert.ok(await target.isVisible());
  const box = await target.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box && box.y >= 0 && box.y < viewport.height, `the reply is on screen (top at ${box?.y})`);
  assert.equal(await page.evaluate(() => history.length), entries, 'no extra history entry');
  assert.deepEqual(errors, []);
  await context.close();
});
