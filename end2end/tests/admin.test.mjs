// An admin changes a setting from the admin page; the signed settings take effect at once.
// Visitors who are not admins see no form.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

// The injected wallet's address (key 0x11…11) is the admin.
const ADMIN = '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A';
const forum = useForum({ env: { ADMINS: ADMIN } });

describe('admin page', () => {
  test('with JavaScript off it shows no form', async () => {
    const context = await forum.browser.newContext({ javaScriptEnabled: false });
    const { page } = await newPage(context);
    const response = await page.goto(`${forum.server.url}/admin`);
    assert.equal(response.status(), 200);
    await page.getByTestId('admin-only').waitFor();
    assert.equal(await page.locator('form.settings-form').count(), 0);
    await context.close();
  });

  test('an admin turns new posts off', async () => {
    const url = forum.server.url;
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${url}/admin`);
    await waitForHydration(page);
    await page.getByTestId('admin-only').waitFor();
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    const posts = page.getByLabel('Enable new web3 actions post');
    await posts.waitFor();
    assert.ok(await posts.isChecked());
    await posts.uncheck();
    await page.getByLabel('Feed filters activity hot').fill('7');
    await page.getByRole('button', { name: 'Sign and save settings' }).click();
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
});
