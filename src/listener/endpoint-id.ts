/**
 * The unguessable endpoint id (`whk_` + 128 random bits as 32 hex), created on a listener's first
 * start and kept in `<stateDir>/listeners/<connector>.id` (0600) so the public URL never changes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SbError } from '../errors.js';

const ENDPOINT_ID = /^whk_[0-9a-f]{32}$/;
const CONNECTOR_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** True when `id` has the endpoint-id format. */
export function isEndpointId(id: string): boolean {
  return ENDPOINT_ID.test(id);
}

/** A fresh endpoint id from the CSPRNG. */
export function newEndpointId(): string {
  return `whk_${randomBytes(16).toString('hex')}`;
}

/**
 * The connector's endpoint id: read from the state dir, or created (0600) on first start. Throws
 * `SB_E_STATE_DIR` when the file is malformed or readable by others, naming the fix.
 */
export async function loadEndpointId(stateDir: string, connector: string): Promise<string> {
  if (!CONNECTOR_NAME.test(connector)) {
    throw new SbError('SB_E_CONFIG', `connector name "${connector}" cannot name an endpoint-id file; use lower-case letters, digits, - and _`);
  }
  const dir = join(stateDir, 'listeners');
  const file = join(dir, `${connector}.id`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${newEndpointId()}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600); // the umask may have narrowed it further, never widened; be exact
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SbError('SB_E_STATE_DIR', `cannot create the endpoint id file ${file}; make the state directory writable`, { cause: err });
    }
  }
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) {
    throw new SbError('SB_E_STATE_DIR', `endpoint id file ${file} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  const id = (await readFile(file, 'utf8')).trim();
  if (!isEndpointId(id)) {
    throw new SbError('SB_E_STATE_DIR', `endpoint id file ${file} does not hold a valid id (whk_ + 32 hex); delete it to mint a new one (the public webhook URL changes)`);
  }
  return id;
}
