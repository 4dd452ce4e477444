// A moderator deletes a post from its page and a comment inside its thread, after a
// confirmation; what is deleted and its replies disappear from every read, and an admin finds
// it in the moderation log and restores it. The connection survives a reload (eth_accounts).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';

import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

// The injected wallet's address (key 0x11…11) is a moderator, and an admin; so is a Nostr
// key (44…44), named by its npub.
const MODERATOR = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';
const NOSTR_MODERATOR_KEY = '44'.repeat(32);
const NOSTR_MODERATOR = getPublicKey(Uint8Array.from(Buffer.from(NOSTR_MODERATOR_KEY, 'hex')));
const KEYS = `${MODERATOR},${npubEncode(NOSTR_MODERATOR)}`;
const forum = useForum({ env: { MODERATORS: KEYS, ADMINS: KEYS } });

describe('moderation with JavaScript on', () => {
  test('a moderator deletes a post after confirming', async () => {
    const url = forum.server.url;
    const spam = await publish(url, author(1), { action: 'post', title: 'Spam to delete', content: 'Buy now' });
    await publish(url, author(2), { action: 'reply', content: 'A reply below the spam', parent: spam });
    const context = await forum.browser.newContext();
    await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/news/${spam}`);
    await waitForHydration(page);
    // Not connected yet: no moderator tools.
    assert.equal(await page.getByRole('button', { name: 'Delete (moderator)' }).count(), 0);
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    await page.getByTestId('header-account').waitFor();

    // The connection survives a reload.
    await page.reload();
    await waitForHydration(page);
    await page.getByTestId('header-account').waitFor();

    const deletePost = page.locator('.moderator-bar').getByRole('button', { name: 'Delete (moderator)' });
    await deletePost.click();
    const dialog = page.getByRole('dialog', { name: 'Delete this post?' });
    await dialog.waitFor();
    // Escape closes it without deleting.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await deletePost.click();
    await dialog.getByRole('button', { name: 'Sign and delete' }).click();
    await page.getByRole('heading', { name: 'Event deleted' }).waitFor();
    assert.equal(await page.getByTestId('deleted').textContent(), 'This event was deleted by a moderator.');

    const feed = await (await fetch(`${url}/api/events?action=post`)).json();
    assert.equal(feed, null);
    const moderations = await (await fetch(`${url}/api/moderations`)).json();
    assert.equal(moderations[0].moderator, MODERATOR.toLowerCase());
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('moderation inside a thread, undone from the log', () => {
  test('a moderator deletes a comment where it is, and an admin restores it from the moderation log', async () => {
    const url = forum.server.url;
    const post = await publish(url, author(3), { action: 'post', title: 'A thread with one bad comment', content: 'Be kind.' });
    const bad = await publish(url, author(4), { action: 'reply', content: 'A rude comment', parent: post });
    await publish(url, author(5), { action: 'reply', content: 'An answer to the rude comment', parent: bad });
    const good = await publish(url, author(6), { action: 'reply', content: 'A kind comment', parent: post });
    const context = await forum.browser.newContext();
    await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/news/${post}`);
    await waitForHydration(page);
    const deleteBad = page.locator(`#c-${bad} > details > .event-actions .comment-links`).getByRole('button', { name: 'Delete (moderator)' });
    // Not connected: no moderator tools on comments either.
    assert.equal(await page.locator('.comment').getByRole('button', { name: 'Delete (moderator)' }).count(), 0);
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    await page.getByTestId('header-account').waitFor();
    await deleteBad.waitFor();
    await deleteBad.click();
    const dialog = page.getByRole('dialog', { name: 'Delete this comment?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.locator(`#c-${bad}`).isVisible(), true, 'Escape deleted nothing');
    await deleteBad.click();
    await dialog.getByRole('button', { name: 'Sign and delete' }).click();
    // In place: the comment and its answer give way to words, which have the keyboard.
    const words = page.locator('.comment-deleted');
    await words.waitFor();
    assert.match(await words.textContent(), /^Deleted: this comment and the replies below it are gone/);
    assert.equal(await words.evaluate((element) => element === document.activeElement), true);
    assert.equal(await page.locator(`#c-${bad}`).isVisible(), false);
    assert.equal(await page.locator(`#c-${good}`).isVisible(), true);
    assert.equal((await fetch(`${url}/news/${bad}`)).status, 410);

    // The admin finds it in the log, in words, and restores it.
    await page.goto(`${url}/admin`);
    await waitForHydration(page);
    const entry = page.locator('#moderation-log li.moderation').first();
    assert.match(await entry.textContent(), /deleted spasmid01.* and the replies below it/);
    await entry.getByRole('button', { name: 'Restore' }).click();
    // The page loads again with the log as it stands: the restore on top, the deletion undone.
    await page.waitForFunction(() => document.querySelector('#moderation-log li.moderation[data-action="restore"]'));
    const undone = page.locator('#moderation-log li.moderation[data-action="delete"]').first();
    assert.match(await undone.textContent(), /restored by/);
    assert.equal(await undone.getByRole('button', { name: 'Restore' }).count(), 0);
    assert.equal((await fetch(`${url}/news/${bad}`)).status, 200);
    await page.goto(`${url}/news/${post}`);
    assert.equal(await page.locator(`#c-${bad}`).isVisible(), true);
    assert.equal(await page.getByText('An answer to the rude comment').isVisible(), true);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('moderation with a Nostr key', () => {
  test('a moderator with only a Nostr extension deletes a comment, and restores it as an admin', async () => {
    const url = forum.server.url;
    const post = await publish(url, author(7), { action: 'post', title: 'A thread a Nostr moderator keeps', content: 'Hello.' });
    const bad = await publish(url, author(8), { action: 'reply', content: 'Off-topic advertising', parent: post });
    const context = await forum.browser.newContext();
    await installProviders(context, { ethereum: false, nostrKey: NOSTR_MODERATOR_KEY });
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/news/${post}`);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Connect Nostr' }).click();
    await page.getByTestId('header-nostr').waitFor();
    const deleteBad = page.locator(`#c-${bad} > details > .event-actions .comment-links`).getByRole('button', { name: 'Delete (moderator)' });
    await deleteBad.click();
    await page.getByRole('dialog', { name: 'Delete this comment?' }).getByRole('button', { name: 'Sign and delete' }).click();
    await page.locator('.comment-deleted').waitFor();
    assert.equal((await fetch(`${url}/news/${bad}`)).status, 410);
    const moderations = await (await fetch(`${url}/api/moderations`)).json();
    assert.equal(moderations[0].moderator, NOSTR_MODERATOR);

    await page.goto(`${url}/admin`);
    await waitForHydration(page);
    const entry = page.locator('#moderation-log li.moderation[data-action="delete"]')
      .filter({ has: page.locator(`a[href="/authors/${npubEncode(NOSTR_MODERATOR)}"]`) });
    // The forum is shared with the journey above, whose restore is already in the log: wait for one more.
    const restores = page.locator('#moderation-log li.moderation[data-action="restore"]');
    const restoresBefore = await restores.count();
    await entry.getByRole('button', { name: 'Restore' }).click();
    await page.waitForFunction(
      (before) => document.querySelectorAll('#moderation-log li.moderation[data-action="restore"]').length > before,
      restoresBefore,
    );
    assert.equal((await fetch(`${url}/news/${bad}`)).status, 200);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
