/**
 * The architecture test, enforced: every platform in the registry has its contract test, and its
 * schema module — which every runtime imports to validate config — pulls in no SDK. A new platform that
 * forgets either fails here, not in a user's memory or a silently skipped contract suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registry } from '../../connectors/registry.js';
import { resolveProbeOptions, resolvedPackages } from '../helpers/resolve-probe.js';
import { makeTempDir } from '../helpers/tmp.js';

const ROOT = join(import.meta.dirname, '../..');
const platforms = Object.keys(registry);

/** What a schema module may load: the config layer's own dependencies. */
const SCHEMA_DEPS = new Set(['zod', 'yaml']);

describe('the registry', () => {
  it.each(platforms)('%s has a contract test that runs the shared suite', (platform) => {
    const file = join(ROOT, 'test/contract', `${platform}.test.ts`);
    expect(existsSync(file), `test/contract/${platform}.test.ts`).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`runConnectorContract\\(\\{\\s*platform: '${platform}'`));
  });

  it('no schema module loads an SDK (every runtime imports all of them to check its config)', () => {
    const tmp = makeTempDir('sb-schemas-');
    try {
      const imports = platforms.map((p) => `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/connectors', p, 'schema.js')).href)});`).join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', `${imports}\nprocess.stderr.write('SB-LOADED\\n');`], {
        env: { ...process.env, NODE_OPTIONS: resolveProbeOptions(tmp.dir) },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.stderr).toContain('SB-LOADED');
      const loaded = [...resolvedPackages(r.stderr)];
      expect(loaded.length).toBeGreaterThan(0); // the probe works: zod at least
      expect(loaded.filter((p) => !SCHEMA_DEPS.has(p))).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });
});
