/** Shared helpers for the journal tests: temp dirs, drafts, and a collecting subscriber. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentBus } from '../../src/bus/bus.js';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';

/** A fresh temp dir and a function that removes every dir made so far (call it in afterEach). */
export function tempDirs(): { make: () => string; cleanup: () => void } {
  const dirs: string[] = [];
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
      dirs.push(dir);
      return dir;
    },
    cleanup: () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal valid draft whose dedupKey is `${connector}:${n}`. */
export function draft(n: number, connector = 'tg-main'): EventDraft {
  return {
    dedupKey: `${connector}:${n}`,
    connector,
    platform: 'telegram',
    kind: 'message',
    conversation: { id: 'chat-1', kind: 'dm' },
    sender: { id: 'u1', isBot: false },
    text: `message ${n}`,
    provenance: { transport: 'outbound-socket', verified: 'token', sender: 'owner' },
  };
}

/** Collects delivered events; `waitFor(n)` resolves once at least n have arrived. */
export function collector(): {
  events: InboundEvent[];
  onEvent: (e: InboundEvent) => void;
  texts: () => (string | undefined)[];
  waitFor: (n: number, timeoutMs?: number) => Promise<void>;
} {
  const events: InboundEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    texts: () => events.map((e) => e.text),
    waitFor: async (n, timeoutMs = 2000) => {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} events, got ${events.length}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    },
  };
}

/** Let pending setImmediate work (flushes, replay pages) run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Append drafts `from`..`to` (inclusive) in order, 1,000 per group commit at most. */
export async function appendRange(bus: AgentBus, from: number, to: number): Promise<void> {
  for (let start = from; start <= to; start += 1000) {
    const end = Math.min(to, start + 999);
    await Promise.all(Array.from({ length: end - start + 1 }, (_, i) => bus.append(draft(start + i))));
  }
}
