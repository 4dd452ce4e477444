// The forum as a newcomer meets it, with the server's default settings and limits: what a
// person does in a first visit must never trip over a limit meant for floods.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Wallet } from 'ethers';

import { axeViolations } from '../harness/axe.mjs';
import { newPage, waitForHydration } from '../harness/browser.mjs';
import { ETHEREUM_TEST_KEY, installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

// Default limits: no SPASM_SUBMITS_* overrides here, on purpose.
const forum = useForum();

test('a reader reacting through a whole thread meets no limit', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), {
    action: 'post',
    title: 'A thread worth reacting to',
    content: 'Twenty comments below, each worth an upvote.',
    timestamp: 1_760_000_000_000,
  });
  const comments = 20;
  for (let index = 0; index < comments; index += 1) {
    await publish(url, author(2 + (index % 5)), {
      action: 'reply',
      parent: root,
      content: `Comment ${index + 1}, worth an upvote.`,
      timestamp: 1_760_000_060_000 + index * 1_000,
    });
  }

  const context = await forum.browser.newContext();
  await installProviders(context);
  const { page, errors } = await newPage(context);
  // The signing module is not part of the page: it loads when the visitor first signs, once.
  const signerRequests = [];
  page.on('request', (request) => {
    if (/\/pkg\/spasm_forum-signer-[0-9a-f]{16}(\.js|_bg\.wasm)$/.test(new URL(request.url()).pathname)) signerRequests.push(request.url());
  });
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  assert.deepEqual(signerRequests, [], 'nothing signed yet, so no signing module');
  const upvotes = page.locator('.comment button[data-reaction="upvote"]');
  assert.equal(await upvotes.count(), comments);
  // As fast as the page allows: each click waits only for the previous count to go up.
  for (let index = 0; index < comments; index += 1) {
    await upvotes.nth(index).click();
    await page.waitForFunction(
      (nth) => document.querySelectorAll('.comment button[data-reaction="upvote"]')[nth]
        ?.querySelector('.count')?.textContent === '1',
      index,
      { timeout: 15_000 },
    ).catch(async (error) => {
      const said = await page.locator('[role="alert"], [role="status"]').allTextContents();
      throw new Error(`upvote ${index + 1} of ${comments} did not count: ${said.join(' | ')}`, { cause: error });
    });
  }
  // The outcome in words, not the API's "Success. Action has been saved and incremented".
  assert.equal(
    await page.locator('.comment [data-notice="success"]').first().textContent(),
    'Counted: your reaction is on this forum now.',
  );
  // And the post itself.
  await page.locator('article.event button[data-reaction="important"]').click();
  await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="important"] .count')?.textContent === '1');
  assert.equal(await page.getByText(/too many submits/i).count(), 0);
  assert.equal(signerRequests.length, 2, `the signing module's glue and wasm, once: ${signerRequests.join(', ')}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the header follows the wallet: another account at once, a disconnect with the way back', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), {
    action: 'post',
    title: 'Switching accounts',
    content: 'React, switch, react again.',
    timestamp: 1_760_000_100_000,
  });
  const context = await forum.browser.newContext();
  const providers = await installProviders(context);
  const { page, errors } = await newPage(context);
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  const header = page.getByTestId('header-account');
  const short = (address) => `${address.toLowerCase().slice(0, 6)}...${address.toLowerCase().slice(-4)}`;

  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await header.waitFor();
  assert.equal(await header.textContent(), short(providers.ethereum.address));

  // Another account in the wallet: the header says so at once, and the next reaction is signed by it.
  const second = await providers.ethereum.switchAccount(page, '0x' + '33'.repeat(32));
  await page.waitForFunction((expected) => document.querySelector('[data-testid="header-account"]')?.textContent === expected, short(second));
  await page.locator('article.event button[data-reaction="upvote"]').click();
  await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="upvote"] .count')?.textContent === '1');
  const bySecond = await (await fetch(`${url}/api/events?action=react&parentId=${root}&signer=${second}`)).json();
  assert.equal(bySecond?.length, 1, 'the reaction is signed by the account the wallet switched to');

  // Disconnected in the wallet: the header offers to connect again, and says why.
  await providers.ethereum.disconnect(page);
  await page.getByRole('button', { name: 'Connect wallet' }).waitFor();
  assert.match(await page.locator('.connect [role="status"], .connect [role="alert"]').first().textContent(), /disconnected/i);
  // Signing again asks the wallet to connect first, and goes through.
  await page.locator('article.event button[data-reaction="important"]').click();
  await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="important"] .count')?.textContent === '1');
  assert.equal(await header.textContent(), short(second));
  // The wallet stops sharing the account without a word: signing asks it to connect again
  // (the same wallet, not a choice among all) and goes on.
  providers.ethereum.revokeSilently();
  const before = providers.requests.length;
  await page.locator('article.event button[data-reaction="bullish"]').click();
  await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="bullish"] .count')?.textContent === '1');
  assert.deepEqual(
    providers.requests.slice(before).map((request) => request.method),
    ['personal_sign', 'eth_requestAccounts', 'personal_sign'],
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('words and times: when it was signed, counts in words, excerpts without markup', async () => {
  const url = forum.server.url;
  const signedAt = 1_760_000_000_000; // 9 Oct 2025, 08:53:20 UTC
  const post = await publish(url, author(7), {
    action: 'post',
    title: 'Words and times',
    content: '**Bold** claim with [a link](https://example.com/x).',
    timestamp: signedAt,
  });
  await publish(url, author(8), {
    action: 'reply',
    parent: post,
    content: '_Quite_ **right**, see [the source](https://example.com/y).',
    timestamp: signedAt + 60_000,
  });
  for (const index of [9, 10]) {
    await publish(url, author(index), { action: 'react', parent: post, content: 'upvote', timestamp: signedAt + 120_000 });
  }
  for (const javaScriptEnabled of [true, false]) {
    const context = await forum.browser.newContext({ javaScriptEnabled });
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/`);
    if (javaScriptEnabled) await waitForHydration(page);
    const card = page.locator(`article.event-card[data-spasmid="${post}"]`);
    const time = card.locator('time');
    assert.equal(await time.getAttribute('datetime'), '2025-10-09T08:53:20Z', 'a machine-readable time');
    assert.equal(await time.textContent(), '9 Oct 2025, 08:53 UTC', 'when it was signed, not when this server got it');
    assert.equal((await card.locator('li[data-reaction="upvote"]').textContent()).trim(), '▲ 2 upvotes');
    const latest = await page.locator('section.latest-comments').textContent();
    assert.match(latest, /Quite right, see the source\./);
    assert.doesNotMatch(latest, /\*\*|\]\(/, 'no markdown in the excerpt');

    await page.goto(`${url}/news/${post}`);
    const description = await page.locator('meta[name="description"]').getAttribute('content');
    assert.equal(description, 'Bold claim with a link.');
    const comment = page.locator('article.comment time');
    assert.equal(await comment.getAttribute('datetime'), '2025-10-09T08:54:20Z');

    // On its author's page a reaction is what it is: who reacted, how, to what.
    await page.goto(`${url}/authors/${author(9).address.toLowerCase()}`);
    if (javaScriptEnabled) await waitForHydration(page);
    const reaction = page.locator('article.reaction-card');
    assert.equal(await reaction.count(), 1);
    assert.match((await reaction.textContent()).replace(/\s+/g, ' '), /reacted ▲ upvote to Words and times/);
    assert.equal(await reaction.getByRole('link', { name: 'Words and times' }).getAttribute('href'), `/news/${post.slice(0, 30)}`, 'a short id, to share');
    assert.equal(await reaction.locator('button').count(), 0, 'no reactions to a reaction');
    if (javaScriptEnabled) assert.deepEqual(await axeViolations(page), []);
    // A reply says what it answers.
    await page.goto(`${url}/authors/${author(8).address.toLowerCase()}`);
    assert.match((await page.locator('article.event-card .in-reply-to').textContent()).replace(/\s+/g, ' '), /In reply to Words and times/);
    assert.deepEqual(errors, [], `JavaScript ${javaScriptEnabled ? 'on' : 'off'}`);
    await context.close();
  }
});

test('before the page can sign it says why: getting ready, could not load, needs JavaScript', async () => {
  const url = forum.server.url;
  const bundleWasm = /\/pkg\/spasm_forum-compose-[0-9a-f]{16}_bg\.wasm$/;
  const hint = (page) => page.locator('.js-required');

  // On a slow link: the controls wait, and say so, until the wasm has arrived.
  const context = await forum.browser.newContext();
  await installProviders(context);
  const { page, errors } = await newPage(context);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(bundleWasm, async (route) => { await held; await route.continue(); });
  await page.goto(`${url}/newpost`);
  await hint(page).getByText('Getting ready to sign…').waitFor();
  assert.equal(await hint(page).innerText(), 'Getting ready to sign…', 'only the words that apply');
  assert.ok(await page.getByRole('button', { name: 'Sign and publish' }).isDisabled());
  release();
  await waitForHydration(page);
  await hint(page).waitFor({ state: 'hidden' });
  assert.ok(await page.getByRole('button', { name: 'Sign and publish' }).isEnabled());
  assert.deepEqual(errors, []);
  await context.close();

  // The code could not be loaded: what to do, in words.
  const failing = await forum.browser.newContext();
  const { page: offline, errors: offlineErrors } = await newPage(failing);
  await offline.route(bundleWasm, (route) => route.abort('internetdisconnected'));
  await offline.goto(`${url}/newpost`);
  await offline.locator('html[data-js="failed"]').waitFor({ state: 'attached' });
  assert.equal(
    await hint(offline).innerText(),
    "This page's code could not be loaded, so nothing can be signed here. Check your connection and reload the page.",
  );
  assert.ok(offlineErrors.every((error) => /Failed to load resource/.test(error)), offlineErrors.join('\n'));
  await failing.close();

  // Without JavaScript: that signing needs it.
  const noScript = await forum.browser.newContext({ javaScriptEnabled: false });
  const plain = await noScript.newPage();
  await plain.goto(`${url}/newpost`);
  assert.equal(
    await hint(plain).innerText(),
    'Signing needs JavaScript and a wallet or Nostr extension, such as MetaMask, Rabby, Alby or nos2x.',
  );
  await noScript.close();
});

test('your own reactions are marked, for the keys connected now', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), {
    action: 'post',
    title: 'Which did I give?',
    content: 'A post whose comment you already upvoted.',
    timestamp: 1_760_000_200_000,
  });
  const comment = await publish(url, author(2), {
    action: 'reply',
    parent: root,
    content: 'A comment to react to.',
    timestamp: 1_760_000_260_000,
  });
  // The browser wallet's key upvoted the comment before this visit; another key downvoted it.
  await publish(url, new Wallet(ETHEREUM_TEST_KEY), { action: 'react', parent: comment, content: 'upvote', timestamp: 1_760_000_300_000 });
  await publish(url, author(3), { action: 'react', parent: comment, content: 'downvote', timestamp: 1_760_000_310_000 });

  const context = await forum.browser.newContext();
  const providers = await installProviders(context);
  const { page, errors } = await newPage(context);
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  const marked = () => page.locator('button[aria-pressed="true"]').evaluateAll((buttons) => buttons.map((button) => {
    const event = button.closest('[data-spasmid]');
    return `${event.classList.contains('comment') ? 'comment' : 'post'}:${button.dataset.reaction}`;
  }));
  assert.deepEqual(await marked(), [], 'nothing is marked before a key is connected');

  // Once the server has answered, every reaction button says whether it is yours.
  const answered = () => page.waitForFunction(() => document.querySelectorAll('button[data-reaction]:not([aria-pressed])').length === 0);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await answered();
  assert.deepEqual(await marked(), ['comment:upvote'], "another key's downvote is not yours");
  // Yours already: said at once, and the wallet is not asked.
  const asked = providers.requests.length;
  await page.locator('.comment button[data-reaction="upvote"]').click();
  await page.locator('.comment [role="alert"]').getByText('You already gave “upvote” here: a reaction counts once for each key.').waitFor();
  assert.equal(providers.requests.length, asked);
  // A reaction given now is marked at once, and its button keeps the keyboard.
  const important = page.locator('article.event button[data-reaction="important"]');
  await important.click();
  await page.locator('article.event button[data-reaction="important"][aria-pressed="true"]').waitFor();
  assert.deepEqual((await marked()).sort(), ['comment:upvote', 'post:important']);
  assert.equal(await important.evaluate((button) => button === document.activeElement), true);

  // Another account in the wallet: the marks follow it (it gave nothing here).
  await providers.ethereum.switchAccount(page, '0x' + '66'.repeat(32));
  await page.waitForFunction(() => document.querySelectorAll('button[aria-pressed="true"]').length === 0);
  await answered();
  assert.deepEqual(await marked(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const javaScriptEnabled of [false, true]) {
  test(`a comment's permalink shows it in its thread, highlighted, with the way to the post (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const url = forum.server.url;
    const title = `A thread with a deep comment (${javaScriptEnabled ? 'on' : 'off'})`;
    const root = await publish(url, author(1), { action: 'post', title, content: 'The post.', timestamp: 1_760_000_000_000 });
    const first = await publish(url, author(2), { action: 'reply', parent: root, content: 'The first step down.', timestamp: 1_760_000_060_000 });
    const second = await publish(url, author(3), { action: 'reply', parent: first, content: 'The second step down.', timestamp: 1_760_000_120_000 });
    const deepest = await publish(url, author(4), { action: 'reply', parent: second, content: 'The deepest comment, shared by its permalink.', timestamp: 1_760_000_180_000 });
    await publish(url, author(5), { action: 'reply', parent: deepest, content: 'An answer below the shared comment.', timestamp: 1_760_000_240_000 });

    const context = await forum.browser.newContext({ javaScriptEnabled });
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/news/${root}`);
    if (javaScriptEnabled) await waitForHydration(page);
    await page.locator(`#c-${deepest} .comment-links`).first().getByRole('link', { name: 'Permalink' }).click();
    // Short ids in links (the default 30 characters), which the server resolves.
    await page.waitForURL(`${url}/news/${deepest.slice(0, 30)}`);
    if (javaScriptEnabled) await waitForHydration(page);

    // The way down from the post, then the comment itself: its text once, highlighted, with a
    // comment's reactions and the answer below it.
    assert.equal((await page.locator('h1').textContent()).trim(), `A comment on ${title}`);
    assert.deepEqual(
      (await page.locator('.thread-path-steps li > a[href*="#c-"]').allTextContents()).map((text) => text.trim()),
      ['The first step down.', 'The second step down.'],
    );
    const shared = page.locator('.comment.highlighted');
    assert.equal(await shared.count(), 1);
    assert.equal(await shared.getAttribute('id'), `c-${deepest}`);
    assert.equal(await page.getByText('The deepest comment, shared by its permalink.').count(), 1);
    assert.deepEqual(
      await shared.locator(':scope > details > .event-actions button[data-reaction]').evaluateAll((buttons) => buttons.map((button) => button.dataset.reaction)),
      ['upvote', 'downvote'],
    );
    assert.equal(await shared.getByText('An answer below the shared comment.').count(), 1);
    if (javaScriptEnabled) {
      await page.waitForFunction(() => !document.querySelector('.comment.highlighted button[data-reaction]')?.disabled);
      // axe-core needs the page's own timers, which run only with JavaScript on.
      assert.deepEqual(await axeViolations(page), []);
    }

    // In the whole thread it is the highlighted target, and so is each step of the way.
    await page.getByRole('link', { name: 'Show it in the whole thread' }).click();
    await page.waitForURL(`${url}/news/${root.slice(0, 30)}#c-${deepest}`);
    assert.equal(await page.evaluate(() => document.querySelector(':target')?.id), `c-${deepest}`);
    await page.goto(`${url}/news/${deepest}`);
    await page.locator('.thread-path-steps').getByRole('link', { name: 'The first step down.' }).click();
    await page.waitForURL(`${url}/news/${root.slice(0, 30)}#c-${first}`);
    assert.equal(await page.evaluate(() => document.querySelector(':target')?.id), `c-${first}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a reaction in a thread offers the exact text the wallet is asked to sign', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), { action: 'post', title: 'What exactly is signed', content: 'Look before you sign.', timestamp: 1_760_000_000_000 });
  await publish(url, author(2), { action: 'reply', parent: root, content: 'A comment to upvote.', timestamp: 1_760_000_060_000 });
  const context = await forum.browser.newContext();
  const wallet = await installProviders(context);
  const { page, errors } = await newPage(context);
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  const held = wallet.ethereum.holdNext();
  await page.locator('.comment button[data-reaction="upvote"]').click();
  const asked = await held.asked;
  const signedText = page.locator('.comment details.signed-text');
  await signedText.waitFor();
  assert.match(await page.locator('.comment .reactions > .notice').textContent(), /You are about to sign an “upvote” reaction\./);
  // Collapsed until asked for; then exactly what the wallet signs.
  assert.equal(await signedText.locator('pre').isVisible(), false);
  await signedText.getByText('The exact text you are asked to sign').click();
  const text = asked.startsWith('0x') ? Buffer.from(asked.slice(2), 'hex').toString('utf8') : asked;
  assert.equal(await signedText.locator('pre').textContent(), text);
  assert.match(text, /"action":"react"/);
  held.release();
  await page.waitForFunction(() => document.querySelector('.comment button[data-reaction="upvote"] .count')?.textContent === '1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a visitor with only a Nostr extension reacts and replies with it, sees the key in the header and can disconnect it', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), { action: 'post', title: 'Open to Nostr', content: 'Nostr keys welcome.', timestamp: 1_760_000_000_000 });
  const context = await forum.browser.newContext();
  const providers = await installProviders(context, { ethereum: false });
  const { page, errors } = await newPage(context);
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  const header = page.locator('header');
  await header.getByRole('button', { name: 'Connect Nostr' }).waitFor();
  assert.equal(await header.getByRole('button', { name: 'Connect wallet' }).count(), 0);
  // No "No Ethereum wallet was found": the extension signs.
  await page.locator('article.event button[data-reaction="upvote"]').click();
  await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="upvote"] .count')?.textContent === '1');
  assert.equal(providers.requests.filter((request) => request.family === 'ethereum' && request.method === 'personal_sign').length, 0);
  assert.ok(providers.requests.some((request) => request.family === 'nostr' && request.method === 'signEvent'));
  await page.getByLabel('Your reply', { exact: true }).fill('A reply signed with Nostr only');
  await page.getByRole('button', { name: 'Sign and reply' }).click();
  await page.getByText('A reply signed with Nostr only').waitFor();
  // The key in the header, across reloads, until disconnected.
  await waitForHydration(page);
  const npub = header.getByTestId('header-nostr');
  await npub.waitFor();
  assert.match(await npub.textContent(), /^npub1/);
  await header.getByRole('button', { name: 'Disconnect the Nostr key' }).click();
  await npub.waitFor({ state: 'hidden' });
  await header.getByRole('button', { name: 'Connect Nostr' }).waitFor();
  await page.reload();
  await waitForHydration(page);
  await header.getByRole('button', { name: 'Connect Nostr' }).waitFor();
  assert.equal(await header.getByTestId('header-nostr').isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('with a wallet and an extension the header offers the choice, remembered, and each identity disconnects', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), { action: 'post', title: 'Two kinds of keys', content: 'Choose.', timestamp: 1_760_000_000_000 });
  const context = await forum.browser.newContext();
  const providers = await installProviders(context);
  const { page, errors } = await newPage(context);
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  const header = page.locator('header');
  const choice = header.getByLabel('Sign with');
  assert.equal(await choice.inputValue(), 'ethereum');
  await header.getByRole('button', { name: 'Connect wallet' }).click();
  await header.getByTestId('header-account').waitFor();
  await choice.selectOption('nostr');
  await page.reload();
  await waitForHydration(page);
  assert.equal(await choice.inputValue(), 'nostr', 'the choice is remembered');
  await page.locator('article.event button[data-reaction="important"]').click();
  await page.waitForFunction(() => document.querySelector('article.event button[data-reaction="important"] .count')?.textContent === '1');
  assert.equal(providers.requests.filter((request) => request.method === 'personal_sign').length, 0, 'signed with Nostr only');
  await header.getByTestId('header-nostr').waitFor();
  // Both identities, the choice and the admin link fit a phone: nothing scrolls sideways.
  for (const width of [320, 390]) {
    await page.setViewportSize({ width, height: 800 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, `${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  // The wallet stays disconnected across reloads once the visitor says so.
  await header.getByRole('button', { name: 'Disconnect the Ethereum wallet' }).click();
  await header.getByTestId('header-account').waitFor({ state: 'hidden' });
  await page.reload();
  await waitForHydration(page);
  await header.getByTestId('header-nostr').waitFor();
  assert.equal(await header.getByTestId('header-account').isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a thread deeper than the page shows continues on the comment’s own page, with JavaScript off and on', async () => {
  const url = forum.server.url;
  const post = await publish(url, author(3), { action: 'post', title: 'An argument that goes on', content: 'Start.' });
  const replies = [];
  let parent = post;
  for (let depth = 1; depth <= 13; depth += 1) {
    parent = await publish(url, author(4 + (depth % 2)), { action: 'reply', parent, content: `Level ${depth} of the argument.` });
    replies.push(parent);
  }
  for (const javaScriptEnabled of [false, true]) {
    const context = await forum.browser.newContext({ javaScriptEnabled });
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/news/${post}`);
    if (javaScriptEnabled) await waitForHydration(page);
    // The page shows ten levels; the tenth says what is below it and where.
    assert.equal(await page.locator('.comment').count(), 10);
    const more = page.getByRole('link', { name: 'Continue this thread (3 replies) →' });
    assert.equal(await more.count(), 1);
    assert.equal(await page.locator(`#c-${replies[9]}`).getByRole('link', { name: /^Continue this thread/ }).count(), 1);
    await more.click();
    await page.getByText('Level 13 of the argument.').waitFor();
    assert.equal(await page.locator('.comment.highlighted').getAttribute('id'), `c-${replies[9]}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

/** Whether `locator` lies wholly within the page's viewport. */
async function onScreen(page, locator) {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  return Boolean(box) && box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width;
}

test('on a phone with two wallets, the choice is offered where the person signs, and choosing goes on with what they were doing', async () => {
  const url = forum.server.url;
  const root = await publish(url, author(1), { action: 'post', title: 'Chosen wallets', content: 'Which wallet signs?', timestamp: 1_760_000_000_000 });
  await publish(url, author(2), { action: 'reply', parent: root, content: 'A comment to upvote from a phone.', timestamp: 1_760_000_060_000 });
  const context = await forum.browser.newContext({ viewport: { width: 390, height: 700 } });
  const wallet = await installProviders(context, { secondWallet: true });
  const { page, errors } = await newPage(context);

  // A new post: the choice appears by the form, focused and on screen, not in the header.
  await page.goto(`${url}/newpost`);
  await waitForHydration(page);
  await page.getByLabel('Title').fill('Posted from a phone');
  await page.getByLabel('Text').fill('Chose the second wallet on the way.');
  await page.getByRole('button', { name: 'Sign and publish' }).click();
  const choices = page.getByRole('group', { name: 'Wallets' });
  await choices.waitFor();
  assert.equal(await page.locator('header .wallet-choices').count(), 0, 'not in the header');
  assert.equal(await page.locator('main .wallet-choices').count(), 1);
  await page.waitForFunction(() => document.activeElement?.textContent === 'Use Test Wallet');
  assert.ok(await onScreen(page, choices), 'the choice is on screen');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'nothing scrolls sideways');
  await choices.getByRole('button', { name: 'Use Second Test Wallet' }).click();
  await page.waitForURL(/\/news\/spasmid01/);
  await page.getByRole('heading', { name: 'Posted from a phone' }).waitFor();
  assert.equal(wallet.requests.find((request) => request.method === 'personal_sign').wallet, 'Second Test Wallet');

  // A reaction in a thread, in a new visit with nothing connected: the choice is beside it.
  await page.getByRole('button', { name: 'Disconnect the Ethereum wallet' }).click();
  await page.goto(`${url}/news/${root}`);
  await waitForHydration(page);
  // Asked first for the post, then, before choosing, for the comment: the choice moves there
  // and the post's reaction is withdrawn without a word of error, its buttons usable again.
  const postUpvote = page.locator('article.event button[data-reaction="upvote"]');
  await postUpvote.click();
  await page.locator('article.event .reactions > .notice').getByRole('group', { name: 'Wallets' }).waitFor();
  await page.locator('.comment button[data-reaction="upvote"]').click();
  const beside = page.locator('.comment .reactions > .notice').getByRole('group', { name: 'Wallets' });
  await beside.waitFor();
  await page.waitForFunction(() => document.querySelector('article.event .reactions > .notice')?.textContent === '');
  assert.equal(await postUpvote.getAttribute('aria-disabled'), 'false');
  await page.waitForFunction(() => document.activeElement?.textContent === 'Use Test Wallet');
  assert.ok(await onScreen(page, beside), 'the choice is on screen');
  await beside.getByRole('button', { name: 'Use Test Wallet' }).click();
  await page.waitForFunction(() => document.querySelector('.comment button[data-reaction="upvote"] .count')?.textContent === '1');
  assert.equal(wallet.requests.filter((request) => request.method === 'personal_sign').at(-1).wallet, 'Test Wallet');
  assert.equal(await page.getByRole('group', { name: 'Wallets' }).count(), 0, 'the choice is gone once made');
  assert.deepEqual(errors, []);
  await context.close();
});
