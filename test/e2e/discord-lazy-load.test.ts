/**
 * Connectors load lazily: a runtime whose config names only Discord loads discord.js's Gateway layer and never another
 * platform's SDK. A module-resolution hook in the `switchboard run` child reports every package it
 * resolves.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator, type DiscordEmulator } from '../../connectors/discord/emulator.js';
import { runCli, startCli, type LiveCli } from '../helpers/cli.js';
import { writeDiscordConfig } from '../helpers/discord-config.js';
import { makeTempDir, until } from '../helpers/tmp.js';

const HOOK = `
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) process.stderr.write('SB-RESOLVED ' + m[1] + '\\n');
  return r;
}`;

/** The same report for CommonJS `require` (connectors may load an SDK with createRequire). */
const CJS_PROBE = `
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const file = original.call(this, request, ...rest);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
  if (m) process.stderr.write('SB-RESOLVED ' + m[1] + '\\n');
  return file;
};`;

describe('lazy connector loading', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let emulator: DiscordEmulator;
  let runtime: LiveCli | undefined;

  beforeEach(async () => {
    tmp = makeTempDir('sb-dclazy-');
    emulator = await startDiscordEmulator();
  });
  afterEach(async () => {
    await runtime?.kill();
    await emulator.close();
    tmp.cleanup();
  });

  it('a Discord-only runtime loads discord.js (its @discordjs/ws Gateway) and never grammy', async () => {
    const hook = join(tmp.dir, 'hook.mjs');
    writeFileSync(hook, HOOK);
    const register = join(tmp.dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
    const probe = join(tmp.dir, 'probe.cjs');
    writeFileSync(probe, CJS_PROBE);
    const config = writeDiscordConfig(tmp.dir, emulator.apiBase, emulator.token, { level: 'warn' });
    runtime = startCli(['run', '--config', config], { env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href} --require ${probe}` } });
    await until(async () => (await runCli(['status', '--config', config])).code === 0, 'online', 20_000);
    const resolved = new Set(runtime.stderr().split('\n').filter((l) => l.startsWith('SB-RESOLVED ')).map((l) => l.slice(12)));
    expect(resolved).toContain('discord.js');
    expect(resolved).toContain('@discordjs/ws');
    expect(resolved).not.toContain('grammy');
  });
});
