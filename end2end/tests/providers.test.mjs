// The injected test providers behave like real extensions and sign for real.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { verifyEvent } from 'nostr-tools/pure';
import { verifyMessage } from 'ethers';

import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';

const forum = useForum();

test('the Ethereum provider announces itself and signs with personal_sign', async () => {
  const context = await forum.browser.newContext();
  const wallet = await installProviders(context);
  const page = await context.newPage();
  await page.goto(forum.server.url);
  const result = await page.evaluate(async () => {
    const announced = [];
    window.addEventListener('eip6963:announceProvider', (event) => announced.push(event.detail.info.name));
    window.dispatchEvent(new Event('eip6963:requestProvider'));
    const before = await window.ethereum.request({ method: 'eth_accounts' });
    const [account] = await window.ethereum.request({ method: 'eth_requestAccounts' });
    const after = await window.ethereum.request({ method: 'eth_accounts' });
    const signature = await window.ethereum.request({ method: 'personal_sign', params: ['0x6869', account] });
    return { announced, before, account, after, signature };
  });
  // The page's own discovery may ask again; every announcement is the one test wallet.
  assert.deepEqual([...new Set(result.announced)], ['Test Wallet']);
  assert.deepEqual(result.before, []);
  assert.equal(result.account, wallet.ethereum.address);
  assert.deepEqual(result.after, [wallet.ethereum.address]);
  assert.equal(verifyMessage('hi', result.signature), wallet.ethereum.address);
  await context.close();
});

test('the Ethereum provider rejects the next request with EIP-1193 error 4001', async () => {
  const context = await forum.browser.newContext();
  const wallet = await installProviders(context);
  const page = await context.newPage();
  await page.goto(forum.server.url);
  wallet.ethereum.rejectNext();
  const error = await page.evaluate(() =>
    window.ethereum.request({ method: 'eth_requestAccounts' }).then(() => null, (e) => ({ code: e.code, message: e.message })));
  assert.equal(error.code, 4001);
  await context.close();
});

test('the Nostr extension signs events that verify, and can refuse', async () => {
  const context = await forum.browser.newContext();
  const wallet = await installProviders(context);
  const page = await context.newPage();
  await page.goto(forum.server.url);
  const signed = await page.evaluate(async () => {
    const pubkey = await window.nostr.getPublicKey();
    return window.nostr.signEvent({ kind: 1, created_at: 1700000000, tags: [['t', 'spasm']], content: 'hello', pubkey });
  });
  assert.equal(signed.pubkey, wallet.nostr.pubkey);
  assert.ok(verifyEvent(signed));
  wallet.nostr.rejectNext();
  const refused = await page.evaluate(() =>
    window.nostr.signEvent({ kind: 1, created_at: 1, tags: [], content: 'x' }).then(() => false, () => true));
  assert.ok(refused);
  await context.close();
});

test('a page without the providers sees no extension', async () => {
  const context = await forum.browser.newContext();
  await installProviders(context, { ethereum: false, nostr: false });
  const page = await context.newPage();
  await page.goto(forum.server.url);
  assert.deepEqual(await page.evaluate(() => [typeof window.ethereum, typeof window.nostr]), ['undefined', 'undefined']);
  await context.close();
});
