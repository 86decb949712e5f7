/** The endpoint id: minted once (0600), the same ever after, validated when read. */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEndpointId, loadEndpointId } from '../../src/listener/index.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('loadEndpointId', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir('sb-eid-')));
  afterEach(() => tmp.cleanup());

  it('mints whk_ + 32 hex on first start into a 0600 file and returns it ever after', async () => {
    const id = await loadEndpointId(tmp.dir, 'line');
    expect(id).toMatch(/^whk_[0-9a-f]{32}$/);
    const file = join(tmp.dir, 'listeners', 'line.id');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(id);
    expect(await loadEndpointId(tmp.dir, 'line')).toBe(id);
    const other = await loadEndpointId(tmp.dir, 'mm');
    expect(other).not.toBe(id);
  });

  it('refuses a malformed or group-readable file and a path-like connector name, naming the fix', async () => {
    const id = await loadEndpointId(tmp.dir, 'line');
    const file = join(tmp.dir, 'listeners', 'line.id');
    chmodSync(file, 0o644);
    await expect(loadEndpointId(tmp.dir, 'line')).rejects.toThrow(/chmod 600/);
    writeFileSync(file, `${id.slice(0, -1)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    await expect(loadEndpointId(tmp.dir, 'line')).rejects.toThrow(/delete it to mint a new one/);
    await expect(loadEndpointId(tmp.dir, '../x')).rejects.toThrow(/cannot name an endpoint-id file/);
  });

  it('isEndpointId accepts only the exact format', () => {
    expect(isEndpointId('whk_0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isEndpointId('whk_0123456789ABCDEF0123456789abcdef')).toBe(false);
    expect(isEndpointId('whk_0123456789abcdef0123456789abcde')).toBe(false);
    expect(isEndpointId('whk_0123456789abcdef0123456789abcdef\n')).toBe(false);
  });
});
