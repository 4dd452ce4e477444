// Addresses people share: with the instance's address configured, every page names its
// canonical and OpenGraph address absolutely, as link previews and search engines need.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage } from '../harness/browser.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

const forum = useForum({ env: { SPASM_INSTANCE_URL: 'https://forum.example/' } });

test('canonical and og:url addresses are absolute with the instance address', async () => {
  const url = forum.server.url;
  const post = await publish(url, author(1), { action: 'post', title: 'Shared', content: 'A post to share.', timestamp: 1_760_000_000_000 });
  for (const javaScriptEnabled of [true, false]) {
    const context = await forum.browser.newContext({ javaScriptEnabled });
    const { page, errors } = await newPage(context);
    for (const [path, expected] of [['/', 'https://forum.example/'], [`/news/${post}`, `https://forum.example/news/${post}`], ['/about', 'https://forum.example/about']]) {
      await page.goto(`${url}${path}`);
      assert.equal(await page.locator('link[rel="canonical"]').getAttribute('href'), expected, path);
      assert.equal(await page.locator('meta[property="og:url"]').getAttribute('content'), expected, path);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});
