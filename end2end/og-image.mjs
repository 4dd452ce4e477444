// Draws the picture that link previews show for the forum's pages (`og:image`), 1200×630 as
// OpenGraph and most previewers expect, into ../public/og-image.png (not a test; run it again
// after changing the logo): `node og-image.mjs`. The picture is the site's logo
// (public/favicon.svg) and name, drawn by headless Chromium.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
const logo = await readFile(`${publicDir}favicon.svg`, 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 630 } });
  await page.setContent(`<!doctype html>
    <style>
      body { margin: 0; width: 1200px; height: 630px; display: flex; align-items: center; gap: 56px;
             padding: 0 96px; box-sizing: border-box; background: #f6f8fb; color: #1d2330;
             font-family: system-ui, sans-serif; }
      svg { width: 240px; height: 240px; flex: none; }
      h1 { font-size: 96px; margin: 0 0 24px; letter-spacing: -2px; }
      p { font-size: 44px; margin: 0; color: #3c4658; line-height: 1.3; max-width: 700px; }
    </style>
    ${logo}
    <div><h1>Spasm forum</h1><p>Posts signed with the keys you already hold: Ethereum, Nostr, or both.</p></div>`);
  await page.screenshot({ path: `${publicDir}og-image.png` });
} finally {
  await browser.close();
}
