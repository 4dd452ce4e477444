// Hostile content in titles, posts and comments is shown as text: no script runs and no
// unsafe element or attribute reaches the page, with JavaScript on and off. Also: the
// server's refusal of an author who is not whitelisted is shown to that author.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { newPage, waitForHydration } from '../harness/browser.mjs';
import { installProviders } from '../harness/providers.mjs';
import { useForum } from '../harness/forum.mjs';
import { author, publish } from '../harness/seed.mjs';

const forum = useForum({
  env: {
    SPASM_SUBMITS_PER_MINUTE_PER_IP: '0',
    SPASM_SUBMITS_PER_MINUTE_PER_KEY: '0',
    ENABLE_WHITELIST_FOR_ACTION_POST: 'true',
    WHITELISTED_FOR_ACTION_POST: author(1).address,
  },
});

const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'onerror\'">',
  '[click me](javascript:window.__pwned=\'link\')',
  '<iframe src="javascript:window.__pwned=\'iframe\'"></iframe>',
  '<div style="position:fixed;inset:0;background:red" onclick="window.__pwned=\'overlay\'">overlay</div>',
  '<a href="javascript:window.__pwned=1">a</a><svg onload="window.__pwned=\'svg\'"></svg>',
  '<b><i>broken <u>html',
  '![x](javascript:window.__pwned=\'image\')',
  '<form action="https://evil.example"><input name=p></form>',
];

let seeding;
function seed() {
  seeding ??= (async () => {
    const url = forum.server.url;
    const whitelisted = author(1);
    const root = await publish(url, whitelisted, {
      action: 'post',
      title: '</title><script>window.__pwned="title"</script><img src=x onerror="window.__pwned=1">',
      content: HOSTILE.join('\n\n'),
    });
    for (const [index, content] of HOSTILE.entries()) {
      await publish(url, author(2 + index), { action: 'reply', content, parent: root });
    }
    return root;
  })();
  return seeding;
}

for (const javaScript of [false, true]) {
  describe(`hostile content with JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    for (const path of ['/', '/post', `/authors/${author(1).address}`]) {
      test(`nothing runs and nothing unsafe reaches ${path}`, async () => {
        const root = await seed();
        const context = await forum.browser.newContext({ javaScriptEnabled: javaScript });
        const { page } = await newPage(context);
        await page.goto(`${forum.server.url}${path === '/post' ? `/news/${root}` : path}`);
        if (javaScript) await waitForHydration(page);
        // Click every link and element that a hostile handler could sit on.
        for (const element of await page.locator('main a, main div, main img:not(.identicon)').all()) {
          const href = await element.getAttribute('href');
          if (href && !href.startsWith('javascript:')) continue;
          await element.click({ timeout: 1000, trial: false }).catch(() => {});
        }
        if (javaScript) {
          assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
        }
        const unsafe = await page.locator('main script, main iframe, main form[action], main svg[onload], main [onerror], main [onclick], main [onload], main [style*="position"], main img:not(.identicon)').count();
        assert.equal(unsafe, 0);
        // The only pictures are the identicons this server draws.
        const pictures = await page.locator('main img').evaluateAll((images) => images.map((image) => image.getAttribute('src')));
        assert.ok(pictures.every((src) => /^\/identicons\/([0-9A-Za-z]|%[0-9A-F]{2})+\.svg$/.test(src)), pictures.join('\n'));
        // Identicons stand in the page as drawings of paths, nothing else.
        const drawn = await page.locator('main svg.identicon *').evaluateAll((parts) => parts.map((part) => `${part.tagName}:${[...part.attributes].map((a) => a.name).join(',')}`));
        assert.ok(drawn.length > 0 && drawn.every((part) => part === 'path:fill,d'), drawn.join('\n'));
        const hrefs = await page.locator('main a').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
        assert.ok(hrefs.every((href) => !/^\s*javascript:/i.test(href)), hrefs.join('\n'));
        if (path === '/post') {
          // The hostile text is still there, as text.
          assert.match(await page.locator('article.event .event-body').textContent(), /<script>window.__pwned = "script"<\/script>/);
          for (const link of await page.locator('article.event .event-body a').all()) {
            assert.equal(await link.getAttribute('rel'), 'nofollow noopener ugc');
          }
        }
        await context.close();
      });
    }
  });
}

describe('the server refuses an author who is not whitelisted', () => {
  test('and the author is told why', async () => {
    await seed();
    const context = await forum.browser.newContext();
    await installProviders(context);
    const { page } = await newPage(context);
    await page.goto(`${forum.server.url}/newpost`);
    await waitForHydration(page);
    await page.getByLabel('Title').fill('Not allowed');
    await page.getByLabel('Text').fill('The test wallet is not on the whitelist.');
    await page.getByRole('button', { name: 'Sign and publish' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /not whitelisted to submit new posts/);
    assert.match(page.url(), /\/newpost$/);
    await context.close();
  });
});
