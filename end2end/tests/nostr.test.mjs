// The Nostr network in the browser. A real, independent relay runs on loopback (nostr-relay
// from PyPI, installed by .ci/run; SPASM_NOSTR_RELAY_BIN names it). With "Also publish to
// Nostr relays" checked, a post signed with the Nostr extension, and one signed with both
// keys, reach the relay exactly as signed (nostr-tools reads them back and verifyEvent
// accepts them) and the post page shows the relay's answer; unchecked, nothing is sent. A
// visitor who is not the signer is not offered publication; the signer is, and it works.
// The relay answers are shown with JavaScript on and off.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { verifyEvent } from 'nostr-tools/pure';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import WebSocket from 'ws';

import { launchBrowser, newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { startServer } from '../harness/server.mjs';

useWebSocketImplementation(WebSocket);

const world = {};

/** A free loopback port. */
async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** Starts nostr-relay 1.14 on `port` with a fresh database, and waits until it answers. */
async function startRelay(port) {
  const dir = await mkdtemp(join(tmpdir(), 'nostr-relay-'));
  const config = join(dir, 'config.yaml');
  await writeFile(config, [
    'DEBUG: false',
    'relay_name: spasm-forum test relay',
    'storage:',
    `  sqlalchemy.url: sqlite+aiosqlite:///${join(dir, 'nostr.sqlite3')}`,
    '  validators:',
    '    - nostr_relay.validators.is_signed',
    'gunicorn:',
    `  bind: 127.0.0.1:${port}`,
    '  workers: 1',
    '  loglevel: warning',
    'purple:',
    '  host: 127.0.0.1',
    `  port: ${port}`,
    '  workers: 1',
    'authentication:',
    '  enabled: false',
    '',
  ].join('\n'));
  const binary = process.env.SPASM_NOSTR_RELAY_BIN ?? 'nostr-relay';
  const child = spawn(binary, ['-c', config, 'serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const spawned = new Promise((_, reject) => {
    child.on('error', (error) => reject(new Error(`cannot start ${binary} (install nostr-relay 1.14 from PyPI and set SPASM_NOSTR_RELAY_BIN): ${error.message}`)));
  });
  const started = Date.now();
  for (;;) {
    const answered = await Promise.race([
      fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'application/nostr+json' } })
        .then((response) => response.ok, () => false),
      spawned,
    ]);
    if (answered) break;
    if (child.exitCode !== null || Date.now() - started > 30_000) {
      throw new Error(`nostr-relay did not start:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The events the relay holds with these ids, read with nostr-tools. */
async function readFromRelay(ids) {
  const relay = await Relay.connect(world.relay.url);
  try {
    return await new Promise((resolve) => {
      const events = [];
      const subscription = relay.subscribe([{ ids }], {
        onevent: (event) => events.push(event),
        oneose: () => {
          subscription.close();
          resolve(events);
        },
      });
    });
  } finally {
    relay.close();
  }
}

/** The signed Nostr event the forum holds for a post. */
async function nostrEventOf(spasmid) {
  const stored = await (await fetch(`${world.forum.url}/api/events/${spasmid}`)).json();
  const sibling = stored.siblings.find((sibling) => sibling.type.startsWith('SiblingNostr'));
  return sibling.originalObject;
}

/** Reloads `page` until the relay section shows `state` for the relay. */
async function untilRelayState(page, state) {
  const started = Date.now();
  const item = page.locator(`[data-testid="nostr-relays"] li[data-relay="${world.relay.url}"]`);
  for (;;) {
    if ((await item.count()) && (await item.getAttribute('data-state')) === state) return item;
    if (Date.now() - started > 30_000) {
      throw new Error(`the post page never showed ${state}: ${await page.locator('main').textContent()}`);
    }
    await new Promise((done) => setTimeout(done, 500));
    await page.reload();
  }
}

/** Writes and signs a post on /newpost; returns its spasmid. */
async function writePost(page, { title, signWith, publish }) {
  await page.goto(`${world.forum.url}/newpost`);
  await waitForHydration(page);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Text').fill(`${title}, written in the browser.`);
  await page.getByLabel(signWith).check();
  const choice = page.getByLabel('Also publish to Nostr relays');
  await choice.waitFor();
  assert.match(await page.locator('.publish-nostr').textContent(), new RegExp(world.relay.url));
  if (publish) await choice.check();
  await page.getByRole('button', { name: 'Sign and publish' }).click();
  await page.waitForURL(/\/news\/spasmid01/);
  return page.url().split('/news/')[1];
}

before(async () => {
  world.relay = await startRelay(await freePort());
  world.forum = await startServer({
    env: { NOSTR_DEFAULT_RELAYS: world.relay.url, SPASM_OUTGOING_ALLOWED_HOSTS: '127.0.0.1' },
  });
  world.browser = await launchBrowser();
});

after(async () => {
  await world.browser?.close();
  await world.forum?.stop();
  await world.relay?.stop();
});

describe('publishing to Nostr relays', () => {
  for (const [signWith, label] of [['Nostr extension', 'Nostr'], ['Both (one post, two signatures)', 'both keys']]) {
    test(`a post signed with ${label} and "publish to relays" checked reaches the relay as signed`, async () => {
      const context = await world.browser.newContext();
      await installProviders(context);
      const { page, errors } = await newPage(context);
      const spasmid = await writePost(page, { title: `Published, signed with ${label}`, signWith, publish: true });
      const item = await untilRelayState(page, 'delivered');
      assert.match(await item.textContent(), /delivered/);
      const signed = await nostrEventOf(spasmid);
      const [onRelay] = await readFromRelay([signed.id]);
      assert.ok(onRelay, 'the relay holds the event');
      for (const field of ['id', 'pubkey', 'created_at', 'kind', 'sig', 'content', 'tags']) {
        assert.deepEqual(onRelay[field], signed[field], field);
      }
      assert.equal(verifyEvent(onRelay), true, 'nostr-tools verifies what the relay holds');
      world.published ??= spasmid;
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test('unchecked, nothing is sent; another visitor is not offered publication; the signer is', async () => {
    const context = await world.browser.newContext();
    await installProviders(context);
    const { page, errors } = await newPage(context);
    const spasmid = await writePost(page, { title: 'Kept here only', signWith: 'Nostr extension', publish: false });
    const signed = await nostrEventOf(spasmid);
    await new Promise((done) => setTimeout(done, 2_000));
    assert.deepEqual(await readFromRelay([signed.id]), [], 'nothing was sent');
    assert.equal(await page.getByTestId('nostr-relays').count(), 0);

    // Someone else, with another Nostr key connected, sees no offer.
    const other = await world.browser.newContext();
    await installProviders(other, { nostrKey: '33'.repeat(32) });
    const visitor = await newPage(other);
    await visitor.page.goto(`${world.forum.url}/newpost`);
    await waitForHydration(visitor.page);
    await visitor.page.getByLabel('Nostr extension').check();
    await visitor.page.getByLabel('Title').fill('Connecting my key');
    await visitor.page.getByLabel('Text').fill('Only to connect the extension.');
    await visitor.page.getByRole('button', { name: 'Sign and publish' }).click();
    await visitor.page.waitForURL(/\/news\/spasmid01/);
    await visitor.page.goto(`${world.forum.url}/news/${spasmid}`);
    await waitForHydration(visitor.page);
    await visitor.page.getByRole('heading', { name: 'Kept here only' }).waitFor();
    assert.equal(await visitor.page.getByRole('button', { name: 'Publish to Nostr relays' }).count(), 0);
    await other.close();

    // The signer is offered it, signs the request, and the relay gets the post.
    await page.goto(`${world.forum.url}/news/${spasmid}`);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Publish to Nostr relays' }).click();
    // The page shows the relay's answer in place of the offer.
    await page.getByTestId('nostr-relays').waitFor();
    assert.equal(await page.locator('[data-notice="error"]').count(), 0);
    await untilRelayState(page, 'delivered');
    const [onRelay] = await readFromRelay([signed.id]);
    assert.equal(onRelay?.sig, signed.sig);
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    test(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'} the post page shows each relay's answer`, async () => {
      assert.ok(world.published, 'a published post from the first test');
      const context = await world.browser.newContext({ javaScriptEnabled });
      const { page } = await newPage(context);
      await page.goto(`${world.forum.url}/news/${world.published}`);
      const item = page.locator(`[data-testid="nostr-relays"] li[data-relay="${world.relay.url}"]`);
      await item.waitFor();
      assert.equal(await item.getAttribute('data-state'), 'delivered');
      assert.equal(await page.getByRole('button', { name: 'Publish to Nostr relays' }).count(), 0);
      await context.close();
    });
  }
});
