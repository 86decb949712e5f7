/** Shared helpers for the config tests: temp dirs that clean up, and capturing a ConfigError's lines. */
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ConfigError } from '../../src/errors.js';

/** A fresh temp dir per call, removed after each test. */
export function tempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-config-'));
    made.push(dir);
    return dir;
  };
}

/** Write `text` to `dir/name` (mode 600 unless told) and return its path. */
export async function put(dir: string, name: string, text: string, mode = 0o600): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  await chmod(file, mode);
  return file;
}

/** The problem lines of the ConfigError `promise` rejects with; fails if it resolves. */
export async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}
