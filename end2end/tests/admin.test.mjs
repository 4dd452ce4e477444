// An admin changes a setting from the admin page; the signed settings take effect at once.
// Visitors who are not admins see no form.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';

import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

// The injected wallet's address (key 0x11…11) is an admin, and so is a Nostr key (33…33),
// named by its npub.
const ADMIN = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';
const NOSTR_ADMIN_KEY = '33'.repeat(32);
const NOSTR_ADMIN = npubEncode(getPublicKey(Uint8Array.from(Buffer.from(NOSTR_ADMIN_KEY, 'hex'))));
const forum = useForum({ env: { ADMINS: `${ADMIN},${NOSTR_ADMIN}` } });

describe('admin page', () => {
  test('with JavaScript off it shows no form', async () => {
    const context = await forum.browser.newContext({ javaScriptEnabled: false });
    const { page } = await newPage(context);
    const response = await page.goto(`${forum.server.url}/admin`);
    assert.equal(response.status(), 200);
    await page.getByTestId('admin-only').waitFor();
    assert.equal(await page.locator('form.settings-form').isVisible(), false);
    await context.close();
  });

  test('an admin pins a post: the feed shows it first, marked, and not again below, with JavaScript on and off', async () => {
    const url = forum.server.url;
    const rules = await publish(url, author(2), { action: 'post', title: 'House rules', content: 'Be kind.', timestamp: 1_760_000_000_000 });
    await publish(url, author(3), { action: 'post', title: 'Newer news', content: 'Fresh.', timestamp: 1_760_000_100_000 });
    const context = await forum.browser.newContext();
    await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/admin`);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    const pinned = page.getByLabel('Pinned posts (one per line)');
    await pinned.waitFor();
    // Something that is not an event id is refused in words, and nothing changes.
    await pinned.fill('not-an-id');
    await page.getByRole('button', { name: 'Sign and save settings' }).click();
    await page.locator('.settings-form [data-notice="error"]', { hasText: '"not-an-id" is not an event id' }).waitFor();
    await pinned.fill(rules);
    await page.getByRole('button', { name: 'Sign and save settings' }).click();
    await page.locator('[data-notice="success"]', { hasText: 'Saved: the new settings are in force.' }).waitFor();
    assert.deepEqual((await (await fetch(`${url}/api/app-config`)).json()).pinnedIds, [rules]);
    // The refusal's 400 is the one message in the console.
    assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await context.close();

    for (const javaScriptEnabled of [true, false]) {
      const reader = await forum.browser.newContext({ javaScriptEnabled });
      const { page: feed } = await newPage(reader);
      for (const path of ['/', '/?activity=rising']) {
        await feed.goto(`${url}${path}`);
        const first = feed.getByRole('list', { name: 'Pinned by this forum' });
        assert.deepEqual(await first.locator('.event-title').allTextContents(), ['House rules'], path);
        assert.match(await first.locator('.event-meta').textContent(), /^Pinned · /);
      }
      await feed.goto(`${url}/`);
      const below = await feed.locator('ol.event-list .event-title').allTextContents();
      assert.ok(below.includes('Newer news') && !below.includes('House rules'), below.join(', '));
      await reader.close();
    }
  });

  test('an admin turns new posts off', async () => {
    const url = forum.server.url;
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/admin`);
    await waitForHydration(page);
    // Before connecting, the page says who may and how, in words.
    assert.match(await page.getByTestId('admin-only').textContent(), /connect an admin's wallet/);
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    const posts = page.getByLabel('New posts', { exact: true });
    await posts.waitFor();
    // Connected as an admin: a link here from every page's header, and no "connect" words.
    assert.equal(await page.locator('header').getByRole('link', { name: 'Admin' }).count(), 1);
    assert.equal(await page.getByText(/connect an admin/i).count(), 0);
    // The settings in groups, each explained in a sentence.
    assert.deepEqual(
      (await page.locator('.setting-group legend').allTextContents()).slice(0, 2),
      ['What this forum accepts', 'Moderation'],
    );
    assert.equal(
      await posts.evaluate((input) => document.getElementById(input.getAttribute('aria-describedby'))?.textContent),
      'People may start new posts.',
    );
    assert.ok(await posts.isChecked());
    await posts.uncheck();
    await page.getByLabel('Reactions for “Hot”').fill('7');
    // While the wallet asks, the page offers the exact text it signs, beside the words.
    const held = wallet.ethereum.holdNext();
    await page.getByRole('button', { name: 'Sign and save settings' }).click();
    const asked = await held.asked;
    const signedText = page.locator('.settings-form details.signed-text');
    await signedText.waitFor();
    assert.match(await page.locator('.settings-form .notice').textContent(), /You are about to sign new settings for this instance\./);
    await signedText.getByText('The exact text you are asked to sign').click();
    assert.equal(await signedText.locator('pre').textContent(), asked.startsWith('0x') ? Buffer.from(asked.slice(2), 'hex').toString('utf8') : asked);
    held.release();
    await page.locator('[data-notice="success"]', { hasText: 'Saved: the new settings are in force.' }).waitFor();

    const config = await (await fetch(`${url}/api/app-config`)).json();
    assert.equal(config.enableNewWeb3ActionsPost, false);
    assert.equal(config.feedFiltersActivityHot, 7);
    await assert.rejects(
      publish(url, author(1), { action: 'post', title: 'After', content: 'Posts are off now' }),
      /submitting new posts is currently disabled/,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('an admin whose key is a Nostr key changes the settings with the Nostr extension', async () => {
    const url = forum.server.url;
    const context = await forum.browser.newContext();
    await installProviders(context, { ethereum: false, nostrKey: NOSTR_ADMIN_KEY });
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/admin`);
    await waitForHydration(page);
    assert.match(await page.getByTestId('admin-only').textContent(), /Nostr key/);
    await page.getByRole('button', { name: 'Connect Nostr' }).click();
    const hot = page.getByLabel('Reactions for “Hot”');
    await hot.waitFor();
    assert.equal(await page.locator('header').getByRole('link', { name: 'Admin' }).count(), 1);
    // A number below 0 is refused by the browser, in its words, before anything is signed.
    await hot.fill('-3');
    await page.getByRole('button', { name: 'Sign and save settings' }).click();
    assert.notEqual(await hot.evaluate((input) => input.validationMessage), '');
    assert.equal(await page.locator('.settings-form [data-notice="progress"]').count(), 0);
    await hot.fill('9');
    await page.getByRole('button', { name: 'Sign and save settings' }).click();
    await page.locator('[data-notice="success"]', { hasText: 'Saved: the new settings are in force.' }).waitFor();
    const config = await (await fetch(`${url}/api/app-config`)).json();
    assert.equal(config.feedFiltersActivityHot, 9);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
