// Starts the real forum binary on a free loopback port with a fresh data directory.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The server binary: `SPASM_FORUM_BIN` (set by `cargo xtask test`) or the default release path. */
export function serverBinary() {
  return process.env.SPASM_FORUM_BIN ?? resolve(here, '../../target/release/spasm-forum');
}

/**
 * Starts the server and resolves once it prints the address it listens on.
 * @param {{ env?: Record<string, string> }} [options]
 * @returns {Promise<{ url: string, dataDir: string, logs: () => string, stop: () => Promise<void> }>}
 */
export async function startServer(options = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'spasm-forum-e2e-'));
  const child = spawn(serverBinary(), ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk) => { output += chunk; });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    logs: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
