// A moderator deletes a post from its page, after a confirmation; the post and its replies
// disappear from every read. The connection survives a reload (eth_accounts).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

// The injected wallet's address (key 0x11…11) is the moderator.
const MODERATOR = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';
const forum = useForum({ env: { MODERATORS: MODERATOR } });

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

    await page.getByRole('button', { name: 'Delete (moderator)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this event?' });
    await dialog.waitFor();
    // Escape closes it without deleting.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Delete (moderator)' }).click();
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
