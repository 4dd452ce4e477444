// Stand-ins for a wallet extension (EIP-1193 + EIP-6963) and a Nostr extension (NIP-07)
// that sign for real with fixed test keys. The page-side objects are injected with
// addInitScript; every signature is made in Node with ethers / nostr-tools.

import { Wallet, getBytes, isHexString, toUtf8Bytes } from 'ethers';
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure';

/** The test Ethereum key: 0x11…11. Its address is 0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A. */
export const ETHEREUM_TEST_KEY = '0x' + '11'.repeat(32);
/** The test Nostr secret key: 22…22 (hex). */
export const NOSTR_TEST_KEY = '22'.repeat(32);

const USER_REJECTED = { code: 4001, message: 'User rejected the request.' };

/**
 * Installs the providers in every page of `context`.
 * @param {import('playwright-core').BrowserContext} context
 * `secondWallet` announces a second EIP-6963 wallet ("Second Test Wallet") with the same key;
 * each request records which wallet (`wallet`) it went to.
 * @param {{ ethereum?: boolean, nostr?: boolean, secondWallet?: boolean, ethereumKey?: string, nostrKey?: string }} [options]
 */
export async function installProviders(context, options = {}) {
  const withEthereum = options.ethereum ?? true;
  const withNostr = options.nostr ?? true;
  let wallet = new Wallet(options.ethereumKey ?? ETHEREUM_TEST_KEY);
  const nostrSecret = Uint8Array.from(Buffer.from(options.nostrKey ?? NOSTR_TEST_KEY, 'hex'));
  const state = { ethereumConnected: false, rejectEthereum: false, rejectNostr: false, holdEthereum: null, requests: [] };

  await context.exposeBinding('__spasmTestSigner', async (_source, call) => {
    // When it reached the extension or wallet, to order it among the page's other requests.
    call.at = process.hrtime.bigint();
    state.requests.push(call);
    if (call.family === 'ethereum') return answerEthereum(call);
    return answerNostr(call);
  });

  async function answerEthereum({ method, params = [] }) {
    const rejectable = ['eth_requestAccounts', 'personal_sign'].includes(method);
    if (rejectable && state.rejectEthereum) {
      state.rejectEthereum = false;
      return { error: USER_REJECTED };
    }
    switch (method) {
      case 'eth_requestAccounts':
        state.ethereumConnected = true;
        return { result: [wallet.address] };
      case 'eth_accounts':
        return { result: state.ethereumConnected ? [wallet.address] : [] };
      case 'eth_chainId':
        return { result: '0x1' };
      case 'personal_sign': {
        if (!state.ethereumConnected) return { error: { code: 4100, message: 'Unauthorized' } };
        const [message, address] = params;
        if (String(address).toLowerCase() !== wallet.address.toLowerCase()) {
          return { error: { code: 4100, message: `Unknown account ${address}` } };
        }
        // The person reads before signing: the answer waits until the test releases it.
        if (state.holdEthereum) {
          const held = state.holdEthereum;
          state.holdEthereum = null;
          held.asked(message);
          await held.released;
        }
        // Like MetaMask: hex is decoded to bytes, anything else is signed as text.
        const bytes = isHexString(message) ? getBytes(message) : toUtf8Bytes(String(message));
        return { result: await wallet.signMessage(bytes) };
      }
      default:
        return { error: { code: 4200, message: `Unsupported method ${method}` } };
    }
  }

  function answerNostr({ method, params }) {
    if (state.rejectNostr) {
      state.rejectNostr = false;
      return { error: { message: 'User rejected the request.' } };
    }
    switch (method) {
      case 'getPublicKey':
        return { result: getPublicKey(nostrSecret) };
      case 'signEvent':
        return { result: finalizeEvent(params, nostrSecret) };
      default:
        return { error: { message: `Unsupported method ${method}` } };
    }
  }

  const withSecondWallet = withEthereum && (options.secondWallet ?? false);
  await context.addInitScript(pageSideProviders, { withEthereum, withNostr, withSecondWallet });

  return {
    ethereum: {
      get address() { return wallet.address; },
      /** The next `eth_requestAccounts` or `personal_sign` is rejected with EIP-1193 error 4001. */
      rejectNext() { state.rejectEthereum = true; },
      /**
       * The person switches to the account of `key` in the wallet: it signs with that key from
       * now on and tells `page` (EIP-1193 `accountsChanged`). Returns the new address.
       */
      async switchAccount(page, key) {
        wallet = new Wallet(key);
        await page.evaluate((accounts) => window.__spasmTestWalletEmit('accountsChanged', accounts), [wallet.address]);
        return wallet.address;
      },
      /**
       * The person disconnects this site in the wallet: it answers `eth_accounts` with nothing and
       * `personal_sign` with 4100 until connected again, and tells `page` (`accountsChanged` with
       * no account, as MetaMask does).
       */
      /**
       * The wallet stops sharing the account with this site without telling the page (a lock,
       * a permission removed elsewhere): `personal_sign` answers 4100 until connected again.
       */
      revokeSilently() { state.ethereumConnected = false; },
      /**
       * The next `personal_sign` waits, as a person reading the wallet's window does: `asked`
       * resolves with the message the wallet was asked to sign, and the wallet signs once
       * `release()` is called.
       */
      holdNext() {
        let asked;
        let release;
        const held = {
          asked: new Promise((resolve) => { asked = resolve; }),
          released: new Promise((resolve) => { release = resolve; }),
        };
        state.holdEthereum = { asked, released: held.released };
        return { asked: held.asked, release };
      },
      async disconnect(page) {
        state.ethereumConnected = false;
        await page.evaluate(() => window.__spasmTestWalletEmit('accountsChanged', []));
      },
    },
    nostr: {
      pubkey: getPublicKey(nostrSecret),
      /** The next NIP-07 request is rejected. */
      rejectNext() { state.rejectNostr = true; },
    },
    /** Every request the page made, in order. */
    requests: state.requests,
  };
}

/** Runs in the page before any of its scripts. */
function pageSideProviders({ withEthereum, withNostr, withSecondWallet }) {
  const call = async (family, method, params, wallet) => {
    const answer = await window.__spasmTestSigner({ family, method, params, wallet });
    if (answer.error) {
      const error = new Error(answer.error.message);
      if (answer.error.code !== undefined) error.code = answer.error.code;
      throw error;
    }
    return answer.result;
  };

  const everyWallet = [];
  // What the Node side makes a wallet tell the page (`accountsChanged`, `disconnect`).
  window.__spasmTestWalletEmit = (event, value) => {
    for (const listeners of everyWallet) for (const listener of listeners.get(event) ?? []) listener(value);
  };
  const makeWallet = (uuid, name, rdns) => {
    const listeners = new Map();
    everyWallet.push(listeners);
    const provider = {
      isTestWallet: true,
      request: ({ method, params }) => call('ethereum', method, params ?? [], name),
      on(event, listener) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event).add(listener);
        return provider;
      },
      removeListener(event, listener) {
        listeners.get(event)?.delete(listener);
        return provider;
      },
    };
    const info = Object.freeze({
      uuid,
      name,
      icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/%3E',
      rdns,
    });
    const announce = () => window.dispatchEvent(
      new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }),
    );
    window.addEventListener('eip6963:requestProvider', announce);
    announce();
    return provider;
  };

  if (withEthereum) {
    window.ethereum = makeWallet('5b0f9a0e-1d7e-4c52-9a51-7e0cbd7a6f01', 'Test Wallet', 'org.spasm.test-wallet');
    if (withSecondWallet) {
      makeWallet('5b0f9a0e-1d7e-4c52-9a51-7e0cbd7a6f02', 'Second Test Wallet', 'org.spasm.second-test-wallet');
    }
  }

  if (withNostr) {
    window.nostr = {
      getPublicKey: () => call('nostr', 'getPublicKey'),
      signEvent: (event) => call('nostr', 'signEvent', event),
      getRelays: async () => ({}),
    };
  }
}
