/**
 * Every row of the Discord recovery table (connectors/discord/recovery.ts), played against the emulator
 * with the real discord.js: the Gateway closes with the code, and what happens must be what the table
 * says. `fatal` → one FatalConnectorError naming the code, no reconnect; `resume` → a RESUME of the same
 * session, and an event injected while the connection was down arrives exactly once; `retry` → a new
 * session (IDENTIFY, no RESUME), and the connector goes on.
 *
 * One emulator and connector per code, run concurrently: each re-identify waits out discord.js's
 * 5-second IDENTIFY spacing, which would add up run one after another.
 */
import { GatewayCloseCodes } from 'discord.js';
import { describe, it } from 'vitest';
import { CLOSE_CODES } from '../../connectors/discord/recovery.js';
import { FatalConnectorError, isFatal } from '../../src/errors.js';
import { sleep } from '../../src/supervisor/backoff.js';
import { until } from '../helpers/tmp.js';
import { startHarness, type Harness } from './harness.js';

/** Close the Gateway side with `code`; 1006 has no close frame: it is a cut connection. */
function close(h: Harness, code: number): void {
  if (code === 1006) h.emulator.dropConnections();
  else h.emulator.closeConnections(code);
}

/** Started, online, one event received; `fn` runs; the harness is closed whatever happens. */
async function withConnector(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    h.connector();
    await h.start();
    h.emulator.injectMessage('before');
    await until(() => h.received.length === 1, 'the event before the close');
    await fn(h);
  } finally {
    await h.close();
  }
}

describe('discord recovery table', () => {
  it('has a row for every close code Discord documents', ({ expect }) => {
    const documented = Object.values(GatewayCloseCodes).filter((v): v is number => typeof v === 'number');
    expect(documented.length).toBeGreaterThan(10);
    for (const code of documented) expect(CLOSE_CODES[code], `close code ${code}`).toBeDefined();
  });
});

describe.concurrent('discord close codes against the emulator: what happens is what the table says', () => {
  for (const [key, rule] of Object.entries(CLOSE_CODES)) {
    const code = Number(key);
    it(`${code} → ${rule.recovery}`, async ({ expect }) => {
      await withConnector(async (h) => {
        const { counters } = h.emulator;
        const connections = counters.connections;
        close(h, code);
        if (rule.recovery === 'fatal') {
          await until(() => h.failures.length === 1, `the fatal failure after ${code}`);
          expect(h.failures[0]).toBeInstanceOf(FatalConnectorError);
          expect(isFatal(h.failures[0])).toBe(true);
          expect((h.failures[0] as Error).message).toContain(String(code));
          // discord.js would reconnect within ~0.5 s if it were going to.
          await sleep(1500);
          expect(counters.connections).toBe(connections);
          expect(h.emulator.openSockets()).toBe(0);
          expect(h.failures).toHaveLength(1);
          expect(counters).toMatchObject({ identifies: 1, resumes: 0 });
          return;
        }
        // While the connection is down: kept by a live session, replayed on RESUME; lost with a new session.
        h.emulator.injectMessage('during');
        if (rule.recovery === 'resume') {
          await until(() => counters.resumes === 1 && h.transitions.at(-1) === 'online', `the RESUME after ${code}`);
        } else {
          // discord.js spaces IDENTIFYs 5 s apart.
          // discord.js spaces IDENTIFYs 5 s apart; several connectors run at once here.
          await until(() => counters.identifies === 2 && h.transitions.at(-1) === 'online', `the new session after ${code}`, 25_000);
        }
        h.emulator.injectMessage('after');
        await until(() => h.texts().includes('after'), `the event after ${code}`);
        await sleep(300);
        expect(h.transitions).toContain('reconnecting');
        expect(h.failures).toEqual([]);
        if (rule.recovery === 'resume') {
          expect(h.texts()).toEqual(['before', 'during', 'after']);
          expect(counters).toMatchObject({ identifies: 1, resumes: 1 });
          expect(counters.replayed).toBeGreaterThanOrEqual(1);
        } else {
          expect(h.texts()[0]).toBe('before');
          expect(h.texts().at(-1)).toBe('after');
          expect(new Set(h.texts()).size).toBe(h.texts().length);
          // A new session at once: no RESUME that Discord would refuse first.
          expect(counters).toMatchObject({ identifies: 2, resumes: 0 });
        }
      });
    }, 60_000);
  }
});
