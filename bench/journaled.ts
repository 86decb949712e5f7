/**
 * The connector side of every throughput bench: a connector started with the real SQLite journal
 * (temp dir, no retention) and an in-process agent that acks each event as it arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../src/bus/journal.js';
import { systemClock } from '../src/clock.js';
import { StateTracker, type Connector, type ConnectorDeps } from '../src/connector.js';
import { silentLogger } from '../src/log/logger.js';

/** Start `make(deps)` journaling into a fresh journal; `onText` hears each delivered event. Returns a stop. */
export async function startJournaled(
  prefix: string,
  make: (deps: ConnectorDeps) => Connector,
  onText: (text: string) => void,
): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const journal = openJournal({ dir, retention: { maxAgeMs: Infinity, maxEvents: Infinity } });
  const log = silentLogger();
  const connector = make({ name: 'bench', log, clock: systemClock, stateDir: dir, state: new StateTracker(systemClock) });
  journal.subscribe('agent', (e) => {
    onText(e.text ?? '');
    void journal.ack('agent', e.id);
  });
  const abort = new AbortController();
  await connector.start(
    {
      log,
      clock: systemClock,
      ingest: async (draft) => {
        const r = await journal.append(draft);
        return r.status === 'appended' ? r : { status: 'duplicate' };
      },
      reject: () => undefined,
      fail: (err) => {
        throw err;
      },
    },
    abort.signal,
  );
  return async () => {
    abort.abort();
    await connector.stop();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
