import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore, type StoredSession } from '../../connectors/discord/session-store.js';
import { silentLogger } from '../../src/log/logger.js';
import { makeTempDir } from '../helpers/tmp.js';

const state = (seq: number): StoredSession => ({ version: 1, botId: '1', sessionId: 's', resumeUrl: 'wss://r', seq, savedAt: '2024-01-01T00:00:00.000Z' });

describe('discord SessionStore', () => {
  const tmp = makeTempDir('sb-dstore-');
  afterAll(() => tmp.cleanup());
  const path = join(tmp.dir, 'discord-x.session.json');

  it('coalesces writes (the latest wins), writes 0600 atomically, and flushes on demand', async () => {
    const store = new SessionStore(path, silentLogger(), 50);
    for (let i = 1; i <= 100; i++) store.schedule(state(i));
    expect(existsSync(path)).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(JSON.parse(readFileSync(path, 'utf8')).seq).toBe(100);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    store.schedule(state(101));
    await store.flush();
    expect((await store.load())!.seq).toBe(101);
    store.schedule(null);
    await store.flush();
    expect(existsSync(path)).toBe(false);
    expect(await store.load()).toBeUndefined();
  });

  it('ignores a malformed file (the next connect identifies afresh)', async () => {
    writeFileSync(path, '{"version":1,"seq":"x"}');
    expect(await new SessionStore(path, silentLogger()).load()).toBeUndefined();
  });
});
