/**
 * A secret key kept in the state directory: 32 bytes from the CSPRNG, written once (mode 0600) and
 * read back on every start, so what was signed before a restart still verifies after it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SbError } from '../errors.js';

const KEY_BYTES = 32;

/**
 * The key at `file` (base64 text), created on first use. Throws `SB_E_STATE_DIR` naming the fix when
 * the file is readable by group/others or does not hold a key; never includes the key in a message.
 */
export async function loadOrCreateKey(file: string): Promise<Buffer> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SbError('SB_E_STATE_DIR', `cannot create the key file ${file}; make the state directory writable`, { cause: err });
    }
  }
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) {
    throw new SbError('SB_E_STATE_DIR', `key file ${file} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  const text = (await readFile(file, 'utf8')).trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text) {
    throw new SbError('SB_E_STATE_DIR', `key file ${file} does not hold a ${KEY_BYTES}-byte base64 key; delete it to make a new one (buttons already sent stop working)`);
  }
  return key;
}
