/**
 * Journals Gateway dispatches strictly in the order Discord sent them, and moves the resume point only
 * past what is journaled.
 *
 * A promise chain of batches: whatever arrived while the previous batch was being journaled forms the
 * next one. A batch's appends are all issued in one synchronous loop, so the journal commits them in
 * one transaction, in order — group commit under load, one event at a time when idle. The next batch
 * starts only once this one is settled, and dispatches after a refused one are left to the replay of
 * the forced resume, so a refused event is not overtaken by a later one.
 *
 * This leans on the journal refusing a turn's appends together (one transaction). Were a single append
 * in a batch refused while later ones in the same batch succeeded, those would stay journaled ahead of
 * it: nothing is lost or duplicated, but that one event arrives late. (`ctx.ingest` is per event; an
 * atomic batch ingest in the core would remove the assumption.)
 */
import type { EventDraft } from '../../src/bus/types.js';
import type { IngestResult } from '../../src/connector.js';
import type { ChannelDirectory, ChannelInfo } from './channels.js';
import type { RawDispatch } from './gateway.js';
import { channelOf, normalizeDispatch } from './normalize.js';
import type { ResumePoint, Stamp } from './resume-point.js';

/** What the pipeline calls out to; the connector wires these. */
export interface PipelineDeps {
  connector: string;
  botId: string;
  point: ResumePoint;
  channels: ChannelDirectory;
  ingest(draft: EventDraft): Promise<IngestResult>;
  /** The event is journaled for the first time (e.g. acknowledge a button interaction now). */
  journaled(t: string, d: unknown): void;
  /** The runtime's access policy refused the event: still answer Discord (an interaction must be acknowledged). */
  declined(t: string, d: unknown): void;
  /** The resume point moved: persist it. */
  progressed(): void;
  /** The journal refused an event; `resume`: the current connection must be resumed to get it again. */
  refused(err: unknown, resume: boolean): void;
  /** A bug: normalizing a dispatch threw. The dispatch is passed over. */
  failed(err: unknown, t: string): void;
}

interface Item extends RawDispatch {
  stamp: Stamp;
}

type Outcome = { ok: true; appended: boolean; refused: boolean } | { ok: false; err: unknown };

/** Most dispatches journaled in one batch. */
const MAX_BATCH = 1000;

/** In-order journaling of Gateway dispatches (see the file comment). */
export class DispatchPipeline {
  readonly #deps: PipelineDeps;
  #queue: Item[] = [];
  #draining: Promise<void> | undefined;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  /** Take a dispatch as it arrives; stamped now with the session and socket it came on. */
  push(dispatch: RawDispatch): void {
    this.#queue.push({ t: dispatch.t, s: dispatch.s, d: dispatch.d, stamp: this.#deps.point.stamp(dispatch.s) });
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** Resolves once every dispatch taken so far is settled. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    const { point } = this.#deps;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      const drafts: (EventDraft | undefined | null)[] = [];
      for (const item of batch) {
        if (point.skips(item.stamp)) {
          drafts.push(null);
          continue;
        }
        // Awaited only when a channel had to be asked from REST: a microtask per message adds up.
        const draft = this.#prepare(item);
        drafts.push(draft instanceof Promise ? await draft : draft);
      }
      // One synchronous loop: one journal transaction, in arrival order.
      const outcomes = await Promise.all(drafts.map((draft) => (draft ? this.#ingest(draft) : undefined)));
      let moved = false;
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i]!;
        if (drafts[i] === null) continue; // skipped: the resume brings it again
        const outcome = outcomes[i];
        if (outcome && !outcome.ok) {
          this.#deps.refused(outcome.err, point.fail(item.stamp));
          continue;
        }
        if (point.complete(item.stamp)) moved = true;
        if (outcome?.appended) this.#deps.journaled(item.t, item.d);
        // Refused by the access policy: still answered (silently) so Discord does not show "interaction failed".
        else if (outcome?.refused) this.#deps.declined(item.t, item.d);
      }
      if (moved) this.#deps.progressed();
    }
  }

  #ingest(draft: EventDraft): Promise<Outcome> {
    return this.#deps.ingest(draft).then(
      (r) => ({ ok: true, appended: r.status === 'appended', refused: r.status === 'refused' }),
      (err: unknown) => ({ ok: false, err }),
    );
  }

  /** Learn channels from the dispatch, then normalize it (undefined: nothing for the agent). */
  #prepare(item: Item): EventDraft | undefined | Promise<EventDraft | undefined> {
    try {
      this.#deps.channels.observe(item.t, item.d);
      const where = channelOf(item.t, item.d);
      if (!where) return undefined;
      const found = this.#deps.channels.resolve(where.channelId, where.guildId);
      return found instanceof Promise ? found.then((channel) => this.#normalize(item, channel)) : this.#normalize(item, found);
    } catch (err) {
      this.#deps.failed(err, item.t);
      return undefined;
    }
  }

  #normalize(item: Item, channel: ChannelInfo): EventDraft | undefined {
    const { connector, botId } = this.#deps;
    try {
      return normalizeDispatch(item.t, item.d, { connector, botId, channel });
    } catch (err) {
      this.#deps.failed(err, item.t);
      return undefined;
    }
  }
}
