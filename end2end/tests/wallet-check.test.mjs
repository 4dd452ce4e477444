// The first journey: the server renders the front page, the browser hydrates it, the
// injected wallet signs a test post built in wasm, and the server verifies it with k256.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';

const forum = useForum();

describe('about page with JavaScript on', () => {
  test('a signed message is verified by the server and the signer is shown', async () => {
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context);
    const { page, errors } = await newPage(context);
    await page.goto(`${forum.server.url}/about`);
    await waitForHydration(page);

    await page.getByRole('button', { name: 'Connect Ethereum wallet' }).click();
    const account = page.getByTestId('connected-account');
    await account.waitFor();
    assert.equal(await account.textContent(), wallet.ethereum.address);

    await page.getByLabel('Text of the test post').fill('Hello from the browser test ✓');
    await page.getByRole('button', { name: 'Sign and verify' }).click();
    const signer = page.getByTestId('verified-signer');
    await signer.waitFor();
    assert.equal(await signer.textContent(), wallet.ethereum.address);
    assert.equal(await page.locator('section[aria-labelledby="signature-check-title"] [data-notice]').getAttribute('data-notice'), 'success');
    assert.match(await page.getByTestId('verified-id').textContent(), /^spasmid01[0-9a-f]{64}$/);

    // The wallet was asked to sign a Spasm post built in the browser with the typed text.
    const signed = wallet.requests.find((request) => request.method === 'personal_sign');
    assert.equal(signed.params[1], wallet.ethereum.address.toLowerCase());
    const body = JSON.parse(Buffer.from(signed.params[0].slice(2), 'hex').toString('utf8'));
    assert.equal(body.type, 'SpasmEventBodyV2');
    assert.equal(body.action, 'post');
    assert.equal(body.content, 'Hello from the browser test ✓');
    assert.deepEqual(body.authors, [{ addresses: [{ value: wallet.ethereum.address.toLowerCase(), format: { name: 'ethereum-pubkey' } }] }]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a rejection in the wallet is shown to the visitor', async () => {
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context);
    const { page } = await newPage(context);
    await page.goto(`${forum.server.url}/about`);
    await waitForHydration(page);

    await page.getByRole('button', { name: 'Connect Ethereum wallet' }).click();
    await page.getByTestId('connected-account').waitFor();
    wallet.ethereum.rejectNext();
    await page.getByRole('button', { name: 'Sign and verify' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /You rejected the request in your wallet/);
    assert.equal(await page.getByTestId('verified-signer').count(), 0);
    await context.close();
  });

  test('with two wallets installed, the visitor chooses which one signs', async () => {
    const context = await forum.browser.newContext();
    const wallet = await installProviders(context, { secondWallet: true });
    const { page, errors } = await newPage(context);
    await page.goto(`${forum.server.url}/about`);
    await waitForHydration(page);

    await page.getByRole('button', { name: 'Connect Ethereum wallet' }).click();
    await page.getByRole('button', { name: 'Use Second Test Wallet' }).click();
    await page.getByTestId('connected-account').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Use Test Wallet' }).count(), 0);
    // The header shows the same connection, with the account's identicon.
    assert.equal(await page.getByTestId('header-account').textContent(), '0x19e7...ff2a');
    await page.getByRole('button', { name: 'Sign and verify' }).click();
    await page.getByTestId('verified-signer').waitFor();
    const signed = wallet.requests.find((request) => request.method === 'personal_sign');
    assert.equal(signed.wallet, 'Second Test Wallet');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a browser without a wallet is told what to install', async () => {
    const context = await forum.browser.newContext();
    await installProviders(context, { ethereum: false });
    const { page } = await newPage(context);
    await page.goto(`${forum.server.url}/about`);
    await waitForHydration(page);

    await page.getByRole('button', { name: 'Connect Ethereum wallet' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /No Ethereum wallet was found/);
    await context.close();
  });
});

describe('about page with JavaScript off', () => {
  test('the server-rendered page is complete and says signing needs JavaScript', async () => {
    const context = await forum.browser.newContext({ javaScriptEnabled: false });
    const { page } = await newPage(context);
    const response = await page.goto(`${forum.server.url}/about`);
    assert.equal(response.status(), 200);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Welcome to the Spasm forum');
    assert.equal(await page.title(), 'About · Spasm forum');
    assert.ok(await page.getByText('Signing needs JavaScript').isVisible());
    assert.ok(await page.getByRole('button', { name: 'Connect Ethereum wallet' }).isDisabled());
    assert.equal(await page.locator('html[data-hydrated]').count(), 0);
    await context.close();
  });

  test('an unknown address answers 404 with a readable page', async () => {
    const context = await forum.browser.newContext({ javaScriptEnabled: false });
    const { page } = await newPage(context);
    const response = await page.goto(`${forum.server.url}/no/such/page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Page not found');
    await context.close();
  });
});
