/** The runtime's handle on access.db: pairings, button intents and known DMs over one connection. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { ACCESS_DB_FILE, openAccessDb } from './access-db.js';
import { ButtonIntents } from './button-intents.js';
import { DmDirectory } from './dm-directory.js';
import { PairingStore } from './pairing.js';

/** Pairings, button intents and known DMs of one state directory. */
export interface AccessStore {
  readonly pairing: PairingStore;
  readonly intents: ButtonIntents;
  readonly dms: DmDirectory;
  close(): void;
}

/** Open `<stateDir>/access.db` (`':memory:'` for tests). Throws `SB_E_STATE_DIR` when it cannot. */
export function openAccessStore(stateDir: string, clock: Clock, options: { makeCode?: () => string } = {}): AccessStore {
  const db = openAccessDb(stateDir);
  return {
    pairing: new PairingStore(db, clock, options),
    intents: new ButtonIntents(db, clock),
    dms: new DmDirectory(db),
    close: () => db.close(),
  };
}

/** Open access.db only if it exists (readers such as `pair list` and `audit` must not create it). */
export function openExistingAccessStore(stateDir: string, clock: Clock): AccessStore | undefined {
  return existsSync(join(stateDir, ACCESS_DB_FILE)) ? openAccessStore(stateDir, clock) : undefined;
}
