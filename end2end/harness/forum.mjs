// One forum and one browser per test file: started before its tests, stopped after.

import { after, before } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

/**
 * Registers the before/after hooks and returns an object whose `server` and `browser`
 * are set once the tests run. `options` go to `startServer` (e.g. `env`).
 * @param {{ env?: Record<string, string> }} [options]
 * @returns {{ server: Awaited<ReturnType<typeof startServer>>, browser: import('playwright-core').Browser }}
 */
export function useForum(options = {}) {
  const forum = {};
  before(async () => {
    forum.server = await startServer(options);
    forum.browser = await launchBrowser();
  });
  after(async () => {
    await forum.browser?.close();
    await forum.server?.stop();
  });
  return forum;
}
