/** The runtime's handle on access.db: pairings and button intents over one connection. */
import type { Clock } from '../clock.js';
import { openAccessDb } from './access-db.js';
import { ButtonIntents } from './button-intents.js';
import { PairingStore } from './pairing.js';

/** Pairings and button intents of one state directory. */
export interface AccessStore {
  readonly pairing: PairingStore;
  readonly intents: ButtonIntents;
  close(): void;
}

/** Open `<stateDir>/access.db` (`':memory:'` for tests). Throws `SB_E_STATE_DIR` when it cannot. */
export function openAccessStore(stateDir: string, clock: Clock, options: { makeCode?: () => string } = {}): AccessStore {
  const db = openAccessDb(stateDir);
  return {
    pairing: new PairingStore(db, clock, options),
    intents: new ButtonIntents(db, clock),
    close: () => db.close(),
  };
}
