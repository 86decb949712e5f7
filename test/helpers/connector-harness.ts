/** Pieces the per-connector test harnesses (test/<platform>/harness.ts) share: captured logs, state transitions, journaled events, an ingest gate. */
import { pino, type Logger } from 'pino';
import type { EventDraft, InboundEvent } from '../../src/bus/types.js';
import type { ConnectorContext, ConnectorState, IngestResult, StateTracker } from '../../src/connector.js';

/** One captured log line. */
export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

/** The fields every connector test harness exposes. */
export interface HarnessBase<Emulator, Connector> {
  emulator: Emulator;
  connector: Connector;
  state: StateTracker;
  /** Drafts journaled (first copies only), in order. */
  drafts: EventDraft[];
  logs: LogLine[];
  ctx: ConnectorContext;
  abort: AbortController;
}

/** A state change as `recordTransitions` records it. */
export interface Transition {
  state: ConnectorState;
  reason?: string;
}

/** A pino logger at `level` whose JSON lines (level as its label) land in `logs`. */
export function captureLogs(level = 'trace'): { log: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const log: Logger = pino({ level, formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  return { log, logs };
}

/** Record every state change of `state`, with its reason when it has one. */
export function recordTransitions(state: StateTracker): Transition[] {
  const transitions: Transition[] = [];
  state.on('change', (c) => transitions.push({ state: c.state, ...(c.reason ? { reason: c.reason } : {}) }));
  return transitions;
}

/** The event the journal hands back for `draft` appended as entry `seq`. */
export function journaled(draft: EventDraft, seq: number, correlationId = `c${seq}`): InboundEvent {
  return { ...draft, id: String(seq).padStart(10, '0'), receivedAt: new Date().toISOString(), correlationId } as InboundEvent;
}

/** An in-memory journal that deduplicates by dedup key, as the real one does. */
export class MemoryJournal {
  /** Drafts journaled (first copies only). */
  readonly drafts: EventDraft[] = [];
  /** Every ingest call, duplicates included (the harness records them with `ingested.push`). */
  readonly ingested: EventDraft[] = [];
  private readonly keys = new Set<string>();
  private seq = 0;

  /** Journal `draft` unless its dedup key was seen. */
  append(draft: EventDraft, correlationId?: string): IngestResult {
    if (this.keys.has(draft.dedupKey)) return { status: 'duplicate' };
    this.keys.add(draft.dedupKey);
    this.drafts.push(draft);
    this.seq++;
    return { status: 'appended', event: journaled(draft, this.seq, correlationId ?? `c${this.seq}`) };
  }
}

/** Holds ingest calls while closed, like a journal that is slow to take them. */
export class IngestGate {
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  /** Resolves at once while open; while closed, when the gate opens. */
  async pass(): Promise<void> {
    if (this.held) await this.held;
  }

  /** Close the gate; returns the function that opens it again. */
  close(): () => void {
    this.held = new Promise((r) => (this.release = r));
    return () => this.open();
  }

  /** Open the gate, letting every held call through. */
  open(): void {
    this.held = undefined;
    this.release?.();
  }
}
