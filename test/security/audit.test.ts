import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../../src/clock.js';
import { connectorBase } from '../../src/config/fields.js';
import type { LoadedConfig } from '../../src/config/schema.js';
import type { ConnectorConfig, ConnectorSchemaModule } from '../../src/registry-types.js';
import { openAccessStore } from '../../src/security/access-store.js';
import { buildAudit } from '../../src/security/audit.js';
import { makeTempDir } from '../helpers/tmp.js';

const outbound: ConnectorSchemaModule = {
  schema: z.strictObject({ ...connectorBase('out') }),
  describe: () => ({ transport: 'outbound-socket', verification: 'token', listeners: [] }),
};
const hooked: ConnectorSchemaModule = {
  schema: z.strictObject({ ...connectorBase('hook'), bind: z.string() }),
  describe: (c) => ({ transport: 'webhook', verification: 'signature', listeners: [{ bind: String(c.bind), exposure: 'lan', verification: 'signature' }] }),
  audit: (c) => (c.bind === '0.0.0.0:1' ? ['the platform says: bind narrower'] : []),
};
const modules = new Map([['out', outbound], ['hook', hooked]]);

function config(stateDir: string, connectors: Record<string, Partial<ConnectorConfig>>): LoadedConfig {
  const blocks = Object.fromEntries(Object.entries(connectors).map(([n, b]) => [n, { enabled: true, ...b } as ConnectorConfig]));
  return { file: '/x/sb.yaml', stateDir, log: { level: 'info' }, bus: { backend: 'sqlite', retention: { maxAgeMs: 1, maxEvents: 1 } }, shutdown: { timeoutMs: 1 }, connectors: blocks, secretValues: [] };
}

describe('buildAudit', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('no warnings for pairing, listed groups, an owner and loopback listeners', () => {
    const r = buildAudit(config('/nonexistent-state', {
      a: { platform: 'out', access: { dm: 'pairing', groups: ['g1'], owners: ['me'], allowed: [], rate_limit: 20 } },
      b: { platform: 'hook', bind: '127.0.0.1:8787', access: { owners: ['me'] } },
    }), modules);
    expect(r.warnings).toEqual([]);
    expect(r.connectors[1]).toMatchObject({ transport: 'webhook', listeners: [{ bind: '127.0.0.1:8787', exposure: 'lan' }], access: { dm: 'pairing', owners: 1 } });
  });

  it('warns about dm: open, groups "*", no owners, rate_limit 0, a non-loopback bind and the platform audit; not for disabled blocks', () => {
    const r = buildAudit(config('/nonexistent-state', {
      a: { platform: 'out', access: { dm: 'open', groups: ['*'], owners: [], allowed: [], rate_limit: 0 } },
      b: { platform: 'hook', bind: '0.0.0.0:1', access: { owners: ['me'] } },
      c: { platform: 'out', enabled: false, access: { dm: 'open' } },
    }), modules);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^a: access\.dm is open/),
      expect.stringMatching(/^a: access\.groups is "\*"/),
      expect.stringMatching(/^a: access\.owners is empty/),
      expect.stringMatching(/^a: access\.rate_limit is 0/),
      expect.stringMatching(/^b: listener on 0\.0\.0\.0:1 is bound to a non-loopback address/),
      'b: the platform says: bind narrower',
    ]);
  });

  it('counts pending and approved pairings from access.db', () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const store = openAccessStore(tmp.dir, systemClock);
    const r1 = store.pairing.request('a', { id: 'u1' }, 'c1');
    if (r1.status === 'issued') store.pairing.approve(r1.code);
    store.pairing.request('a', { id: 'u2' }, 'c2');
    store.close();
    const r = buildAudit(config(tmp.dir, { a: { platform: 'out', access: { owners: ['me'] } } }), modules);
    expect(r.connectors[0]!.access).toMatchObject({ pendingPairings: 1, approvedPairings: 1 });
  });
});
