// Reading and writing the forum: the feed with its filters and pages, a post with its
// comment tree, an author page, and posting, replying and reacting with the injected
// wallet. Reading is checked with JavaScript off (the server-rendered page) and on.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { author, publish, submit } from '../harness/seed.mjs';

// The seeding submits many events from one key and one address: no rate limits here.
const forum = useForum({ env: { SPASM_SUBMITS_PER_MINUTE_PER_IP: '0', SPASM_SUBMITS_PER_MINUTE_PER_KEY: '0' } });
const seeded = {};

let seeding;
/** Seeds the forum once, on first use (the server starts in the harness's own hook). */
function seed() {
  seeding ??= seedForum();
  return seeding;
}

async function seedForum() {
  const url = forum.server.url;
  const alice = author(1);
  const bob = author(2);
  seeded.alice = alice;
  for (let index = 0; index < 30; index += 1) {
    await publish(url, alice, {
      action: 'post',
      title: `Seeded post ${index}`,
      content: `The text of seeded post ${index}.`,
      category: index % 3 === 0 ? 'defi' : 'tech',
      timestamp: 1_730_000_000_000 + index,
    });
  }
  seeded.root = await publish(url, bob, {
    action: 'post', title: 'A post with comments', content: 'Some **bold** text.', category: 'privacy',
  });
  seeded.first = await publish(url, alice, { action: 'reply', content: 'First comment', parent: seeded.root });
  seeded.nested = await publish(url, bob, { action: 'reply', content: 'A nested answer', parent: seeded.first });

  // A Nostr key with a profile (kind 0), signed with nostr-tools.
  const nostrKey = new Uint8Array(32).fill(0x5a);
  seeded.npub = npubEncode(getPublicKey(nostrKey));
  const sign = (fields) => finalizeEvent({ tags: [], ...fields }, nostrKey);
  await submit(url, sign({
    kind: 0,
    created_at: 1_730_000_000,
    content: JSON.stringify({ name: 'Nostr Nora', about: 'Writes about relays.', website: 'https://nora.example/' }),
  }));
}

for (const javaScript of [false, true]) {
  describe(`reading with JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    async function open(path) {
      await seed();
      const context = await forum.browser.newContext({ javaScriptEnabled: javaScript });
      const { page, errors } = await newPage(context);
      const response = await page.goto(`${forum.server.url}${path}`);
      if (javaScript) await waitForHydration(page);
      return { context, page, errors, response };
    }

    test('the feed shows the newest posts, filters and loads more', async () => {
      const { context, page, errors } = await open('/');
      const cards = page.locator('.event-card');
      assert.equal(await cards.count(), 25);
      const latest = page.getByRole('region', { name: 'Latest comments' });
      assert.match(await latest.textContent(), /A nested answer/);
      assert.equal(await cards.first().locator('h2').textContent(), 'A post with comments');
      await page.getByRole('link', { name: 'Load more' }).click();
      await page.getByText('Seeded post 0', { exact: true }).waitFor();
      if (javaScript) {
        // The next page's cards are added below, the address stays, the keyboard goes on
        // from the first new card, and the link goes at the end.
        assert.equal(await page.locator('.event-card').count(), 31);
        assert.equal(new URL(page.url()).search, '');
        assert.equal(await page.getByRole('status').filter({ hasText: 'more loaded' }).textContent(), '6 more loaded.');
        assert.equal(await page.evaluate(() => document.activeElement.closest('li') === document.querySelectorAll('ol.event-list > li')[25]), true);
        assert.equal(await page.getByRole('link', { name: 'Load more' }).count(), 0);
      } else {
        assert.match(page.url(), /before=/);
        assert.equal(await page.locator('.event-card').count(), 6);
      }

      await page.goto(`${forum.server.url}/`);
      await page.getByRole('navigation', { name: 'Feed filters' }).getByRole('link', { name: 'defi' }).click();
      await page.waitForURL(/category=defi/);
      await page.getByText('Seeded post 27', { exact: true }).waitFor();
      const titles = await page.locator('.event-card h2').allTextContents();
      assert.equal(titles.length, 10);
      assert.ok(titles.every((title) => /^Seeded post (\d+)$/.test(title) && Number(title.split(' ')[2]) % 3 === 0), titles.join());
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('searching from any page finds posts and comments, filters them, pages and opens a result', async () => {
      const { context, page, errors } = await open(`/news/${seeded.root}`);
      const box = page.getByRole('search', { name: 'Search this forum' });
      await box.getByRole('searchbox').fill('comments BOLD');
      await box.getByRole('searchbox').press('Enter');
      await page.waitForURL(/\/search\?q=comments\+BOLD/);
      const results = page.locator('.search-result');
      assert.equal(await results.count(), 1);
      assert.equal(await results.first().locator('h2').textContent(), 'A post with comments');
      assert.deepEqual(await results.first().locator('mark').allTextContents(), ['comments', 'bold']);
      assert.equal(await page.title(), 'Search: comments BOLD · Spasm forum');

      // Many results page like the feed.
      const form = page.getByRole('search', { name: 'Search with filters' });
      await form.getByLabel('Words').fill('seeded');
      await form.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/q=seeded/);
      assert.equal(await results.count(), 25);
      await page.getByRole('link', { name: 'Load more' }).click();
      if (javaScript) {
        await page.getByRole('status').filter({ hasText: 'more loaded' }).waitFor();
        assert.equal(await results.count(), 30);
      } else {
        await page.waitForURL(/before=/);
        assert.equal(await results.count(), 5);
        assert.equal(await page.getByLabel('Words').inputValue(), 'seeded');
      }

      // Comments only, in words; the result opens the comment.
      await page.goto(`${forum.server.url}/search?q=answer`);
      await page.getByLabel('In', { exact: true }).selectOption({ label: 'Comments' });
      await page.getByRole('button', { name: 'Search', exact: true }).last().click();
      await page.waitForURL(/what=reply/);
      assert.equal(await results.count(), 1);
      assert.equal(await results.first().locator('h2').textContent(), 'Comment on First comment');
      assert.equal(await results.first().locator('.search-excerpt mark').textContent(), 'answer');
      await results.first().getByRole('link', { name: 'Comment on First comment' }).click();
      await page.getByText('A nested answer').first().waitFor();
      assert.match(page.url(), /\/news\//);

      // A search without a word is answered in words.
      const refused = await page.goto(`${forum.server.url}/search?q=%3F%3F`);
      assert.equal(refused.status(), 400);
      assert.equal(await page.getByRole('alert').textContent(), 'Type a word to search for.');
      assert.deepEqual(errors.filter((error) => !/status of 400/.test(error)), []);
      await context.close();
    });

    test('muted words are never rendered: the feed and a thread without them, until unmuted', async () => {
      const { context, page, errors } = await open('/mutes');
      await page.getByLabel('Words').fill('Seeded post 29\nfirst');
      await page.getByRole('button', { name: 'Save mutes' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      assert.equal(await page.getByLabel('Words').inputValue(), 'seeded post 29\nfirst');

      await page.goto(`${forum.server.url}/`);
      // Left out by the server: not in the page at all, not hidden by a script.
      assert.equal((await page.content()).includes('Seeded post 29'), false);
      assert.equal(await page.getByText('Seeded post 28', { exact: true }).count(), 1);
      assert.equal(await page.locator('.muted-note').textContent(), '1 hidden by your mutes. Your mutes');
      await page.goto(`${forum.server.url}/news/${seeded.root}`);
      const first = page.locator(`#c-${seeded.first}`);
      assert.equal(await first.locator('.muted-stub').textContent(), 'Hidden because it has a word you muted. Your mutes');
      assert.equal((await page.content()).includes('First comment'), false);
      // The answer below it is not muted.
      assert.match(await first.locator(`#c-${seeded.nested} .event-body`).textContent(), /A nested answer/);

      // A key that is not one is refused in words, and what was typed stays.
      await page.goto(`${forum.server.url}/mutes`);
      await page.getByLabel('Keys').fill('not-a-key');
      await page.getByRole('button', { name: 'Save mutes' }).click();
      assert.match(await page.getByRole('alert').textContent(), /“not-a-key” is not an Ethereum address or a Nostr key/);
      assert.equal(await page.getByLabel('Keys').inputValue(), 'not-a-key');
      assert.equal(await page.getByLabel('Words').inputValue(), 'seeded post 29\nfirst');

      // Unmuted, everything is back.
      await page.getByLabel('Keys').fill('');
      await page.getByLabel('Words').fill('');
      await page.getByRole('button', { name: 'Save mutes' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      await page.goto(`${forum.server.url}/`);
      assert.equal(await page.getByText('Seeded post 29', { exact: true }).count(), 1);
      assert.equal(await page.locator('.muted-note').count(), 0);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('a post shows its body and its comment tree', async () => {
      const { context, page, errors, response } = await open(`/news/${seeded.root}`);
      assert.equal(response.status(), 200);
      assert.equal(await page.locator('article.event h1').textContent(), 'A post with comments');
      assert.equal(await page.locator('article.event .event-body strong').textContent(), 'bold');
      assert.equal(await page.title(), 'A post with comments · Spasm forum');
      const first = page.locator(`#c-${seeded.first}`);
      assert.match(await first.locator('.event-body').first().textContent(), /First comment/);
      const nested = first.locator(`#c-${seeded.nested}`);
      assert.match(await nested.locator('.event-body').textContent(), /A nested answer/);
      assert.equal(await page.locator('link[rel="canonical"]').getAttribute('href'), `/news/${seeded.root}`);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('an author page lists what the author signed', async () => {
      const { context, page, errors } = await open(`/authors/${seeded.alice.address}`);
      await page.locator('.event-card').first().waitFor();
      assert.equal(await page.locator('.event-card').count(), 25);
      assert.ok((await page.locator('.event-card .verified-mark').count()) >= 25);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('a comment offers its own reply form only where a visitor can sign', async () => {
      const { context, page, errors } = await open(`/news/${seeded.root}`);
      const first = page.locator(`#c-${seeded.first}`);
      const reply = first.getByRole('button', { name: 'Reply', exact: true }).first();
      if (!javaScript) {
        assert.equal(await reply.count(), 0, 'no reply button that cannot work');
      } else {
        await reply.click();
        assert.equal(await reply.getAttribute('aria-expanded'), 'true');
        await first.getByLabel('Your reply to this comment').first().waitFor();
        await first.getByLabel('Your reply to this comment').first().fill('A draft');
        await reply.click();
        assert.equal(await reply.getAttribute('aria-expanded'), 'false');
        await first.getByLabel('Your reply to this comment').first().waitFor({ state: 'hidden' });
        // Opened again, the form still holds the draft.
        await reply.click();
        assert.equal(await first.getByLabel('Your reply to this comment').first().inputValue(), 'A draft');
      }
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('a Nostr author page shows the name and words of the key\'s own profile', async () => {
      const { context, page, errors } = await open(`/authors/${seeded.npub}`);
      assert.equal(await page.locator('.author-card h1').textContent(), 'Nostr Nora');
      const profile = page.getByTestId('nostr-profile');
      assert.match(await profile.textContent(), /Writes about relays\./);
      assert.equal(await profile.getByRole('link', { name: 'https://nora.example/' }).getAttribute('rel'), 'nofollow noopener ugc');
      assert.match(await page.title(), /^Nostr Nora \(npub1/);
      await page.getByText('Nothing signed by this key here yet.').waitFor();
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('an unknown post answers 404 with a page', async () => {
      const { context, page, response } = await open('/news/spasmid01nothing');
      assert.equal(response.status(), 404);
      await page.getByRole('heading', { name: 'Event not found' }).waitFor();
      await context.close();
    });
  });
}

describe('writing with JavaScript on', () => {
  test('posting with Ethereum opens the new post', async () => {
    await seed();
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${forum.server.url}/newpost`);
    await waitForHydration(page);
    await page.getByLabel('Title').fill('Posted from the browser');
    await page.getByLabel('Text').fill('Signed in the **browser** <b>as typed</b>');
    await page.getByLabel('Category').selectOption('tech');
    assert.match(await page.locator('.sign-preview').textContent(), /Posted from the browser/);
    // The preview is the server's own rendering: Markdown applied, HTML shown as text.
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    assert.equal(await preview.locator('.event-body strong').textContent(), 'browser');
    assert.match(await preview.locator('.event-body').textContent(), /<b>as typed<\/b>/);
    assert.equal(await preview.locator('.event-body b').count(), 0);
    await page.getByRole('button', { name: 'Sign and publish' }).click();
    await page.waitForURL(/\/news\/spasmid01/);
    await page.getByRole('heading', { name: 'Posted from the browser' }).waitFor();
    assert.equal(await page.locator('article.event .event-body strong').textContent(), 'browser');
    assert.match(await page.locator('article.event .event-body').textContent(), /<b>as typed<\/b>/);
    const signed = wallet.requests.find((request) => request.method === 'personal_sign');
    const body = JSON.parse(Buffer.from(signed.params[0].slice(2), 'hex').toString('utf8'));
    assert.equal(body.content, 'Signed in the **browser** <b>as typed</b>');
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const [mode, label] of [['nostr', 'Nostr extension'], ['both', 'Both (one post, two signatures)']]) {
    test(`posting signed with ${mode === 'both' ? 'both keys' : 'Nostr'}`, async () => {
      await seed();
      const context = await forum.browser.newContext();
      const wallet = await installProviders(context);
      const { page, errors } = await newPage(context);
      await page.goto(`${forum.server.url}/newpost`);
      await waitForHydration(page);
      const title = `Signed with ${mode}`;
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Text').fill(`A post signed with ${mode}.`);
      await page.getByLabel(label).check();
      // Server-function calls, timed, to check that none comes between the click and the
      // extension's prompt: the Nostr form is built in the browser.
      const serverCalls = [];
      page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (path.startsWith('/_fn/')) serverCalls.push({ path, at: process.hrtime.bigint() });
      });
      const clickedAt = process.hrtime.bigint();
      await page.getByRole('button', { name: 'Sign and publish' }).click();
      await page.waitForURL(/\/news\/spasmid01/);
      const prompt = wallet.requests.find((request) => request.method === 'signEvent');
      const before = serverCalls.filter(({ at }) => at > clickedAt && at < prompt.at);
      assert.deepEqual(before.map(({ path }) => path), [], 'server calls before the Nostr prompt');
      assert.equal(serverCalls.find(({ at }) => at > prompt.at)?.path, '/_fn/submit');
      await page.getByRole('heading', { name: title }).waitFor();
      const verified = await page.locator('article.event .author').evaluateAll((links) => links.map((link) => link.getAttribute('title')));
      if (mode === 'both') {
        assert.deepEqual(verified.sort(), ['Ethereum address, signature verified by this server', 'Nostr address, signature verified by this server']);
        assert.ok(wallet.requests.some((request) => request.method === 'personal_sign'));
      } else {
        assert.deepEqual(verified, ['Nostr address, signature verified by this server']);
        assert.ok(!wallet.requests.some((request) => request.method === 'personal_sign'));
      }
      const signed = wallet.requests.find((request) => request.method === 'signEvent');
      assert.equal(signed.params.content, `A post signed with ${mode}.`);
      assert.ok(signed.params.tags.some((tag) => tag[0] === 'spasm_action' && tag[1] === 'post'));
      // The id on this page is the one every Spasm instance computes for the signed body.
      const spasmid = page.url().split('/news/')[1];
      const stored = await (await fetch(`${forum.server.url}/api/events/${spasmid}`)).json();
      assert.equal(stored.siblings.length, mode === 'both' ? 2 : 1);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test('the theme follows the system until the visitor chooses, and is remembered', async () => {
    const context = await forum.browser.newContext({ colorScheme: 'light' });
    const { page } = await newPage(context);
    await page.goto(`${forum.server.url}/`);
    await waitForHydration(page);
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await toggle.click();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    assert.notEqual(await background(), light);
    await page.reload();
    await waitForHydration(page);
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    assert.equal(await page.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed'), 'true');
    await context.close();
  });

  test('a missing Nostr extension is shown', async () => {
    const context = await forum.browser.newContext();
    await installProviders(context, { nostr: false });
    const { page } = await newPage(context);
    await page.goto(`${forum.server.url}/newpost`);
    await waitForHydration(page);
    await page.getByLabel('Title').fill('No extension');
    await page.getByLabel('Text').fill('Nothing to sign with');
    await page.getByLabel('Nostr extension').check();
    await page.getByRole('button', { name: 'Sign and publish' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /No Nostr extension was found/);
    await context.close();
  });

  test('a rejection in the wallet and a missing wallet are shown', async () => {
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context);
    const { page } = await newPage(context);
    await page.goto(`${forum.server.url}/newpost`);
    await waitForHydration(page);
    await page.getByLabel('Title').fill('Never published');
    await page.getByLabel('Text').fill('Rejected');
    wallet.ethereum.rejectNext();
    await page.getByRole('button', { name: 'Sign and publish' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /You rejected the request in your wallet/);
    await context.close();

    const bare = await forum.browser.newContext();
    const { page: plain } = await newPage(bare);
    await plain.goto(`${forum.server.url}/newpost`);
    await waitForHydration(plain);
    await plain.getByLabel('Title').fill('No wallet');
    await plain.getByLabel('Text').fill('Nothing to sign with');
    await plain.getByRole('button', { name: 'Sign and publish' }).click();
    await plain.getByRole('alert').waitFor();
    assert.match(await plain.getByRole('alert').textContent(), /No Ethereum wallet was found/);
    await bare.close();
  });

  test('replying and reacting update the post at once', async () => {
    await seed();
    const context = await forum.browser.newContext();
    await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${forum.server.url}/news/${seeded.root}`);
    await waitForHydration(page);
    await page.getByLabel('Your reply', { exact: true }).fill('A reply from the *browser*');
    await page.locator('.post-reply').getByRole('button', { name: 'Preview' }).click();
    await page.locator('.post-reply .preview .event-body em', { hasText: 'browser' }).waitFor();
    await page.getByRole('button', { name: 'Sign and reply' }).click();
    await page.locator('.comment .event-body', { hasText: 'A reply from the browser' }).waitFor();
    assert.equal(await page.locator('.comment .event-body em', { hasText: 'browser' }).count(), 1);

    const upvote = page.locator('article.event button[data-reaction="upvote"]');
    await upvote.click();
    await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="upvote"] .count')?.textContent === '1');
    // The same reaction again: the page knows it is yours already and says so, signing nothing.
    await page.locator('article.event button[data-reaction="upvote"]').click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /You already gave “upvote” here/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
