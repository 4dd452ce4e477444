// The site's static files as browsers and caches receive them from the release binary:
// precompressed variants by Accept-Encoding, content-hashed names served immutable, and
// names from another build not found.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { useForum } from '../harness/forum.mjs';

const forum = useForum();

/** GET with raw bytes (no decompression, unlike fetch). */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

/** The addresses of the bundle (`spasm_forum-<family>-<hash>`) and stylesheet a page names. */
async function assetsOfThePage(path = '/') {
  const { body } = await get(`${forum.server.url}${path}`);
  const html = body.toString();
  // The islands script's last argument (app/src/browser/islands.rs).
  const wasm = /'(\/pkg\/spasm_forum-([a-z]+)-[0-9a-f]{16}_bg\.wasm)'\)/.exec(html);
  const js = /href="(\/pkg\/spasm_forum-[a-z]+-[0-9a-f]{16}\.js)"/.exec(html)?.[1];
  const css = /href="(\/pkg\/spasm_forum-[0-9a-f]{16}\.css)"/.exec(html)?.[1];
  assert.ok(wasm && js && css, `the page names hashed assets:\n${html.slice(0, 2000)}`);
  return { wasm: wasm[1], family: wasm[2], js, css };
}

const assetsOfTheFrontPage = () => assetsOfThePage('/');

test('each page family loads its own bundle, with the one stylesheet', async () => {
  const pages = { '/': 'base', '/authors/0x0000000000000000000000000000000000000001': 'base', '/newpost': 'compose', '/admin': 'admin', '/about': 'about', '/news/nothing-here': 'thread' };
  const seen = new Map();
  for (const [path, family] of Object.entries(pages)) {
    const assets = await assetsOfThePage(path);
    assert.equal(assets.family, family, path);
    assert.ok(assets.js.startsWith(`/pkg/spasm_forum-${family}-`), assets.js);
    seen.set(family, assets);
  }
  assert.equal(new Set([...seen.values()].map((assets) => assets.css)).size, 1);
  for (const { wasm } of seen.values()) {
    const response = await get(`${forum.server.url}${wasm}`, { 'accept-encoding': 'br' });
    assert.equal(response.status, 200, wasm);
  }
});

test('the pages that sign name the signing module, which is served like a bundle', async () => {
  const signer = /import\('(\/pkg\/spasm_forum-signer-[0-9a-f]{16})\.js'\)/;
  for (const path of ['/newpost', '/admin', '/news/nothing-here']) {
    const html = (await get(`${forum.server.url}${path}`)).body.toString();
    const stem = signer.exec(html)?.[1];
    assert.ok(stem, `${path} names the signing module`);
    for (const file of [`${stem}.js`, `${stem}_bg.wasm`]) {
      const response = await get(`${forum.server.url}${file}`, { 'accept-encoding': 'br' });
      assert.equal(response.status, 200, file);
      assert.equal(response.headers['content-encoding'], 'br', file);
      assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', file);
    }
  }
  for (const path of ['/', '/about']) {
    const html = (await get(`${forum.server.url}${path}`)).body.toString();
    assert.ok(!html.includes('spasm_forum-signer-'), `${path} signs nothing, so it does not name the signing module`);
  }
});

test('the wasm is served precompressed in the encoding asked for, immutable', async () => {
  const { wasm } = await assetsOfTheFrontPage();
  const plain = await get(`${forum.server.url}${wasm}`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-type'], 'application/wasm');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(plain.headers.vary, 'accept-encoding');
  // Never a document: the page that loads it decides its policy, so it carries only nosniff.
  assert.equal(plain.headers['x-content-type-options'], 'nosniff');
  assert.equal(plain.headers['content-security-policy'], undefined);
  assert.equal(plain.headers['x-frame-options'], undefined);

  const brotli = await get(`${forum.server.url}${wasm}`, { 'accept-encoding': 'br' });
  assert.equal(brotli.headers['content-encoding'], 'br');
  assert.ok(brotli.body.length < plain.body.length / 2, `${brotli.body.length} of ${plain.body.length} bytes`);
  assert.deepEqual(brotliDecompressSync(brotli.body), plain.body);
  assert.notEqual(brotli.headers.etag, plain.headers.etag, 'each variant has its own ETag');

  const gzip = await get(`${forum.server.url}${wasm}`, { 'accept-encoding': 'gzip' });
  assert.equal(gzip.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(gzip.body), plain.body);

  // What Chromium sends: the smallest variant it accepts (brotli 11).
  const chromium = await get(`${forum.server.url}${wasm}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
  assert.equal(chromium.headers['content-encoding'], 'br');

  const revalidated = await get(`${forum.server.url}${wasm}`, { 'accept-encoding': 'br', 'if-none-match': brotli.headers.etag });
  assert.equal(revalidated.status, 304);
});

test('the glue and the stylesheet are hashed and precompressed too', async () => {
  const { js, css } = await assetsOfTheFrontPage();
  for (const path of [js, css]) {
    const response = await get(`${forum.server.url}${path}`, { 'accept-encoding': 'br' });
    assert.equal(response.status, 200, path);
    assert.equal(response.headers['content-encoding'], 'br', path);
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', path);
  }
});

test('an asset name from another build is not found, never served stale', async () => {
  const { wasm, js, css } = await assetsOfTheFrontPage();
  for (const path of [wasm, js, css]) {
    const stale = path.replace(/-[0-9a-f]{16}/, '-0123456789abcdef');
    const response = await get(`${forum.server.url}${stale}`, { 'accept-encoding': 'br' });
    assert.equal(response.status, 404, stale);
    assert.doesNotMatch(response.headers['cache-control'] ?? '', /immutable|max-age=[1-9]/, stale);
  }
  const unhashed = await get(`${forum.server.url}/pkg/spasm_forum_bg.wasm`);
  assert.equal(unhashed.status, 404);
});

test('the favicon comes with the page, as a data: address', async () => {
  const html = (await get(`${forum.server.url}/`)).body.toString();
  const href = /<link href="([^"]+)" rel="icon"/.exec(html)?.[1];
  assert.ok(href?.startsWith('data:image/svg+xml,%3Csvg'), href);
  assert.ok(!href.includes('#'), 'a # would end the address');
});

test('files without a hash in their name are revalidated', async () => {
  const icon = await get(`${forum.server.url}/favicon.svg`, { 'accept-encoding': 'br' });
  assert.equal(icon.status, 200);
  assert.equal(icon.headers['cache-control'], 'no-cache');
  assert.equal(icon.headers['content-encoding'], 'br');
});

test('an SVG opened on its own may run nothing; pages keep their whole policy', async () => {
  const identicon = await get(`${forum.server.url}/identicons/0xf8553015220a857eda377a1e903c9e5afb3ac2fa.svg`);
  assert.equal(identicon.status, 200);
  assert.equal(identicon.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  assert.equal(identicon.headers['x-content-type-options'], 'nosniff');
  const page = await get(`${forum.server.url}/`);
  assert.match(page.headers['content-security-policy'], /script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  assert.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.headers['referrer-policy'], 'strict-origin-when-cross-origin');
});
