import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load.js';
import { ensureStateDir, stateDirProblem } from '../../src/config/state-dir.js';
import { SbError } from '../../src/errors.js';
import { problemsOf, put, tempDirs } from './helpers.js';

const newDir = tempDirs();

async function rejection(promise: Promise<unknown>): Promise<SbError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SbError);
  return err as SbError;
}

describe('ensureStateDir', () => {
  it('creates a missing directory (and parents) with mode 0700', async () => {
    const dir = join(await newDir(), 'a', 'b');
    await ensureStateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('tightens an existing directory that group/others can reach', async () => {
    const dir = join(await newDir(), 'state');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await ensureStateDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a file in place of the directory, naming it and the fix', async () => {
    const file = await put(await newDir(), 'state', 'x');
    const err = await rejection(ensureStateDir(file));
    expect(err.code).toBe('SB_E_STATE_DIR');
    expect(err.message).toBe(`state directory ${file} exists but is not a directory; remove it or choose another state_dir`);
  });

  it('refuses a directory that cannot be created (under a regular file)', async () => {
    const file = await put(await newDir(), 'plain', 'x');
    const err = await rejection(ensureStateDir(join(file, 'sub')));
    expect(err.code).toBe('SB_E_STATE_DIR');
    expect(err.message).toContain(`state directory ${join(file, 'sub')} cannot be created`);
    expect(err.message).toContain('choose another state_dir');
  });

  // root may write anywhere, so as root the check runs in a child process as the user `nobody`.
  it('refuses a directory it cannot write (mode 500)', async () => {
    const parent = await newDir();
    const dir = join(parent, 'ro');
    await mkdir(dir);
    await chmod(dir, 0o500);
    let message: string;
    if (process.getuid?.() === 0) {
      await chmod(parent, 0o711);
      await chown(dir, 65534, 65534);
      const module = new URL('../../dist/src/config/state-dir.js', import.meta.url).href;
      const script = `import(${JSON.stringify(module)}).then((m) => m.ensureStateDir(${JSON.stringify(dir)})).then(() => console.log('accepted'), (e) => console.log(e.message));`;
      const child = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
      message = child.stdout.trim();
    } else {
      message = (await rejection(ensureStateDir(dir))).message;
    }
    expect(message).toContain(`state directory ${dir} is not writable`);
    expect(message).toContain(`chmod 700 ${dir}`);
    await chmod(dir, 0o700);
  });

  it('refuses a shared sticky directory such as /tmp instead of tightening it', async () => {
    const dir = join(await newDir(), 'shared');
    await mkdir(dir);
    await chmod(dir, 0o1777);
    const err = await rejection(ensureStateDir(dir));
    expect(err.message).toContain('is a shared directory');
    expect((await stat(dir)).mode & 0o7777).toBe(0o1777);
  });
});

describe('stateDirProblem (config check: looks, never creates)', () => {
  it('accepts a missing directory under a writable one, and does not create it', async () => {
    const dir = join(await newDir(), 'new', 'state');
    expect(await stateDirProblem(dir)).toBeUndefined();
    await expect(stat(dir)).rejects.toThrow();
  });

  it('names a file in place of the directory, and a path under a regular file', async () => {
    const file = await put(await newDir(), 'plain', 'x');
    expect(await stateDirProblem(file)).toBe(`state directory ${file} exists but is not a directory; remove it or choose another state_dir`);
    expect(await stateDirProblem(join(file, 'sub'))).toBe(
      `state directory ${join(file, 'sub')} cannot be created: ${file} is not a directory; choose another state_dir`,
    );
  });

  it('makes a config whose state_dir is unusable fail at the state_dir line', async () => {
    const file = await put(await newDir(), 'plain', 'x');
    const text = `connectors: {}\nstate_dir: ${join(file, 'sub')}\n`;
    expect(await problemsOf(loadConfigText(text, 'sb.yaml', { env: {} }))).toEqual([
      `sb.yaml:2:12: state_dir: state directory ${join(file, 'sub')} cannot be created: ${file} is not a directory; choose another state_dir`,
    ]);
  });
});
