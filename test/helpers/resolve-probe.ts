/**
 * A module-resolution probe for a child process (the lazy-loading tests): an ES module resolve hook
 * and a CommonJS `require` probe, each writing `SB-RESOLVED <package>` to stderr for every package
 * resolved from node_modules.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The ES module resolve hook: reports every package it resolves from node_modules. */
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

/** Write the probe into `dir`; returns the NODE_OPTIONS that load it into a child process. */
export function resolveProbeOptions(dir: string): string {
  const hook = join(dir, 'hook.mjs');
  writeFileSync(hook, HOOK);
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const probe = join(dir, 'probe.cjs');
  writeFileSync(probe, CJS_PROBE);
  return `--import ${pathToFileURL(register).href} --require ${probe}`;
}

/** The packages a probed process reported resolving (from its stderr). */
export function resolvedPackages(stderr: string): Set<string> {
  return new Set(stderr.split('\n').filter((l) => l.startsWith('SB-RESOLVED ')).map((l) => l.slice(12)));
}
