/**
 * The state directory holds the journal, the control and agent sockets and HMAC keys, so it must be
 * writable by us and private to us (0700). `stateDirProblem` checks without touching anything (for
 * `config check`); `ensureStateDir` creates and tightens it (for `run`).
 */
import { constants } from 'node:fs';
import { access, chmod, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SbError } from '../errors.js';

const OR_ANOTHER = 'or choose another state_dir';
const ANOTHER = 'choose another state_dir';

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Why `dir` cannot serve as the state directory (one line naming the fix), or undefined if it can. */
export async function stateDirProblem(dir: string): Promise<string | undefined> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return `state directory ${dir} exists but is not a directory; remove it ${OR_ANOTHER}`;
    if ((st.mode & 0o1002) === 0o1002) return `state directory ${dir} is a shared directory (world-writable, sticky); choose a private state_dir such as ~/.switchboard`;
    await access(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    const code = errCode(err);
    if (code === 'EACCES') return `state directory ${dir} is not writable; chown/chmod it so the user running switchboard can write it (chmod 700 ${dir}), ${OR_ANOTHER}`;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `state directory ${dir} cannot be used (${code ?? 'error'}); ${ANOTHER}`;
  }
  // Missing: it can be created if its nearest existing ancestor is a writable directory.
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    try {
      const st = await stat(parent);
      if (!st.isDirectory()) return `state directory ${dir} cannot be created: ${parent} is not a directory; ${ANOTHER}`;
      await access(parent, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (err) {
      const code = errCode(err);
      if (code === 'EACCES') return `state directory ${dir} cannot be created: ${parent} is not writable; create it yourself (mkdir -m 700 ${dir}) ${OR_ANOTHER}`;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `state directory ${dir} cannot be created (${code ?? 'error'}); ${ANOTHER}`;
      if (parent === dirname(parent)) return `state directory ${dir} cannot be created; ${ANOTHER}`;
    }
  }
}

/**
 * Create `dir` (mode 0700) if missing, prove it writable with a probe file, and tighten it to 0700 if
 * group/others can reach it. Throws `SbError('SB_E_STATE_DIR')` naming the directory and the fix.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  const fail = (why: string, cause?: unknown): SbError =>
    new SbError('SB_E_STATE_DIR', `state directory ${dir} ${why}`, { cause, fields: { stateDir: dir } });
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (errCode(err) === 'EEXIST') throw fail(`exists but is not a directory; remove it ${OR_ANOTHER}`, err);
    throw fail(`cannot be created (${errCode(err) ?? 'error'}); create it yourself (mkdir -m 700 ${dir}) ${OR_ANOTHER}`, err);
  }
  const st = await stat(dir).catch((err: unknown) => {
    throw fail(`cannot be read (${errCode(err) ?? 'error'}); ${ANOTHER}`, err);
  });
  if (!st.isDirectory()) throw fail(`exists but is not a directory; remove it ${OR_ANOTHER}`);
  const probe = join(dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
    await unlink(probe);
  } catch (err) {
    throw fail(`is not writable (${errCode(err) ?? 'error'}); chown/chmod it so the user running switchboard can write it (chmod 700 ${dir}), ${OR_ANOTHER}`, err);
  }
  if ((st.mode & 0o077) === 0) return;
  // Never tighten a directory that is not ours alone to change, such as /tmp.
  if ((st.mode & 0o1000) !== 0) throw fail(`is a shared directory (sticky); choose a private state_dir such as ~/.switchboard`);
  if (process.getuid && st.uid !== process.getuid()) {
    throw fail(`is accessible by group/others and owned by another user; chown it to the user running switchboard and chmod 700 it, ${OR_ANOTHER}`);
  }
  await chmod(dir, 0o700);
}
