// Addresses people share: with the instance's address configured, every page names its
// canonical and OpenGraph address (and picture) absolutely, as link previews and search
// engines need.

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
      assert.equal(await page.locator('meta[property="og:image"]').getAttribute('content'), 'https://forum.example/og-image.png', path);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
  // The picture itself, as previewers fetch it.
  const image = await fetch(`${url}/og-image.png`);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get('content-type'), 'image/png');
  const bytes = new Uint8Array(await image.arrayBuffer());
  assert.deepEqual([...bytes.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join(''), 'PNG');
});
