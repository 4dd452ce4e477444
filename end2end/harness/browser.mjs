// Debian's Chromium, headless, driven by playwright-core.

import { chromium } from 'playwright-core';

/**
 * Launches headless Chromium from `CHROMIUM_PATH` or /usr/bin/chromium. Every page of every
 * context it opens is watched for Content-Security-Policy violations (Chromium reports them
 * on the console), and for islands that the page's browser bundle lacks (Leptos warns "Could
 * not find WASM function for the island"; see `app/src/bundles.rs`); `close()` fails the test
 * file when there was one, so every journey runs under the server's real policy and with every
 * island of the page live.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // This machine has no network beyond loopback: keep Chromium from trying.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const violations = [];
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...options) => {
    const context = await newContext(...options);
    context.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy|Could not find WASM function/i.test(message.text())) {
        violations.push(`${message.location()?.url ?? ''}: ${message.text()}`);
      }
    });
    return context;
  };
  const close = browser.close.bind(browser);
  browser.close = async (...options) => {
    await close(...options);
    if (violations.length > 0) {
      throw new Error(`Content-Security-Policy violations or islands missing from their bundle:\n${violations.join('\n')}`);
    }
  };
  return browser;
}

/**
 * A new page that records uncaught errors, so a test can assert the page ran cleanly.
 * @param {import('playwright-core').BrowserContext} context
 */
export async function newPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors };
}

/** Waits until the wasm has hydrated the page. */
export async function waitForHydration(page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });
}
