// Screenshots of the main pages in both themes at phone and desktop widths, for people to
// look at (not a test): `node screenshots.mjs [OUT_DIR]` after `cargo xtask build`.

import { mkdir } from 'node:fs/promises';

import { launchBrowser, waitForHydration } from './harness/browser.mjs';
import { installProviders } from './harness/providers.mjs';
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { author, publish, submit } from './harness/seed.mjs';
import { startServer } from './harness/server.mjs';

const out = process.argv[2] ?? '/tmp/spasm-forum-screenshots';
await mkdir(out, { recursive: true });
const server = await startServer({ env: { ENABLE_EMBED_IMAGE_TAGS_IN_POSTS: 'true' } });
const browser = await launchBrowser();
try {
  const alice = author(1);
  const bob = author(2);
  for (let index = 0; index < 6; index += 1) {
    await publish(server.url, index % 2 ? bob : alice, {
      action: 'post',
      title: `Post ${index + 1}: what a forum for signed messages needs`,
      content: `Some **markdown** text for post ${index + 1}, with a [link](https://example.com).`,
      category: index % 3 ? 'defi' : 'privacy',
    });
  }
  const post = await publish(server.url, alice, {
    action: 'post',
    title: 'Signed posts travel between instances',
    content: 'A longer post.\n\n> A quote from somewhere.\n\n- one\n- two\n\n```\ncode block\n```',
  });
  const first = await publish(server.url, bob, { action: 'reply', parent: post, content: 'A first comment.' });
  await publish(server.url, alice, { action: 'reply', parent: first, content: 'A reply to the first comment.' });
  await publish(server.url, author(3), { action: 'reply', parent: post, content: 'Another comment, by a third person.' });

  const nostrKey = new Uint8Array(32).fill(0x5a);
  await submit(server.url, finalizeEvent({
    kind: 0,
    created_at: 1_730_000_000,
    tags: [],
    content: JSON.stringify({
      name: 'Nostr Nora',
      about: 'Writes about relays and keys.\nRuns a small instance.',
      website: 'https://nora.example/',
    }),
  }, nostrKey));
  const nostrAuthor = `/authors/${npubEncode(getPublicKey(nostrKey))}`;

  const pages = [
    ['feed', '/'], ['post', `/news/${post}`], ['new-post', '/newpost'], ['author', `/authors/${alice.address}`],
    ['nostr-author', nostrAuthor],
  ];
  const sizes = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];
  for (const theme of ['light', 'dark']) {
    for (const [sizeName, viewport] of sizes) {
      const context = await browser.newContext({ viewport, colorScheme: theme });
      await installProviders(context);
      const page = await context.newPage();
      for (const [name, path] of pages) {
        await page.goto(`${server.url}${path}`);
        await waitForHydration(page);
        await page.screenshot({ path: `${out}/${name}-${sizeName}-${theme}.png`, fullPage: true });
      }
      await context.close();
    }
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
