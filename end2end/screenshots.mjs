// Screenshots of the main pages in both themes at two phone widths and a desktop one, for
// people to look at (not a test): `node screenshots.mjs [OUT_DIR]` with SPASM_FORUM_BIN set
// after `cargo xtask build`. The feed, a post, a deep thread, new post with the wallet
// chooser open (from the header, and from signing the form), an author (Ethereum and Nostr)
// and the admin page as its admin; each page also says when it is wider than the screen
// (which would scroll sideways on a phone).

import { mkdir } from 'node:fs/promises';

import { launchBrowser, waitForHydration } from './harness/browser.mjs';
import { installProviders } from './harness/providers.mjs';
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { author, publish, submit } from './harness/seed.mjs';
import { startServer } from './harness/server.mjs';

const out = process.argv[2] ?? '/tmp/spasm-forum-screenshots';
await mkdir(out, { recursive: true });
// The injected wallet's address (key 0x11…11) is the admin.
const ADMIN = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';
const server = await startServer({ env: { ENABLE_EMBED_IMAGE_TAGS_IN_POSTS: 'true', ADMINS: ADMIN } });
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

  // A thread twelve replies deep, each answering the one before.
  const deep = await publish(server.url, bob, { action: 'post', title: 'A long argument', content: 'Where does it end?' });
  let parent = deep;
  for (let depth = 1; depth <= 12; depth += 1) {
    parent = await publish(server.url, depth % 2 ? alice : bob, {
      action: 'reply', parent, content: `Reply at depth ${depth}, with a long unbroken word: ${'antidisestablishmentarianism'.repeat(2)}.`,
    });
  }

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

  // Each page, and what to do on it before the picture.
  const connectWallet = async (page) => {
    await page.getByRole('button', { name: 'Connect wallet' }).click();
  };
  // Signing a new post with two wallets and none connected: the choice by the form.
  const signFromForm = async (page) => {
    await page.getByLabel('Title').fill('From a phone');
    await page.getByLabel('Text').fill('Which wallet signs this?');
    await page.getByRole('button', { name: 'Sign and publish' }).click();
    await page.getByRole('group', { name: 'Wallets' }).waitFor();
  };
  const pages = [
    ['feed', '/'], ['post', `/news/${post}`], ['deep-thread', `/news/${deep}`], ['new-post', '/newpost'],
    ['wallet-chooser', '/newpost', connectWallet], ['signing-chooser', '/newpost', signFromForm], ['author', `/authors/${alice.address}`],
    ['nostr-author', nostrAuthor],
    ['admin', '/admin', async (page) => {
      await page.getByRole('button', { name: 'Use Test Wallet', exact: true }).click().catch(() => {});
      await page.locator('form.settings-form').waitFor();
    }],
  ];
  const sizes = [['320', { width: 320, height: 640 }], ['390', { width: 390, height: 844 }], ['1280', { width: 1280, height: 900 }]];
  const overflowing = [];
  for (const theme of ['light', 'dark']) {
    for (const [sizeName, viewport] of sizes) {
      for (const [name, path, before] of pages) {
        // A fresh profile per page: nothing connected, unless the page connects.
        const context = await browser.newContext({ viewport, colorScheme: theme });
        await installProviders(context, { secondWallet: true });
        const page = await context.newPage();
        await page.goto(`${server.url}${path}`);
        await waitForHydration(page);
        if (name === 'admin') await connectWallet(page);
        if (before) await before(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > viewport.width) overflowing.push(`${name} at ${sizeName} px (${theme}): ${width} px wide`);
        await page.screenshot({ path: `${out}/${name}-${sizeName}-${theme}.png`, fullPage: true });
        await context.close();
      }
    }
  }
  console.log(overflowing.length ? `wider than the screen:\n${overflowing.join('\n')}` : 'no page is wider than the screen');
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
