/**
 * How far the journal has got, per channel: the `create_at` of the newest post journaled in each (and
 * the time of the newest edit, deletion or reaction, so old changes are not fetched again), kept
 * in `<stateDir>/mattermost/<connector>.cursor` so that after a crash (or any gap the socket cannot
 * resume across) each channel's posts since then are fetched over REST. Per channel, because a
 * catch-up asks the channels one after another: a single newest-post mark would run ahead of a
 * channel asked earlier, and a second gap would then skip that channel's posts in between.
 * `floor` is where a channel with no journaled post starts (the first start). Written after
 * journaling, debounced and atomically (temp file + rename); losing the last write only makes the
 * next catch-up fetch a little more, which the dedup key absorbs.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

interface ChangeMark {
  at: number;
  keys: string[];
}

/** At most this many dedup keys are kept for one millisecond (more changes in one ms are fetched again; the dedup key absorbs them). */
const MAX_KEYS_AT_MARK = 64;

interface CursorState {
  floor: number;
  /** Per channel: the `create_at` of its newest journaled post. */
  channels: Record<string, number>;
  /** Per channel: the time of its newest journaled edit, deletion or reaction, and the dedup keys journaled at that millisecond. */
  changes?: Record<string, ChangeMark>;
}

export class PostCursor {
  readonly #file: string;
  readonly #debounceMs: number;
  #state: CursorState | undefined;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, state: CursorState | undefined, debounceMs: number) {
    this.#file = file;
    this.#state = state;
    this.#debounceMs = debounceMs;
  }

  /** Read the cursor at `file` (absent or unreadable = none yet). */
  static async load(file: string, debounceMs = 200): Promise<PostCursor> {
    let state: CursorState | undefined;
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CursorState>;
      if (Number.isSafeInteger(parsed.floor) && typeof parsed.channels === 'object' && parsed.channels) {
        const ints = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => Number.isSafeInteger(v))) as Record<string, number>;
        const changes: Record<string, ChangeMark> = {};
        for (const [id, m] of Object.entries(typeof parsed.changes === 'object' && parsed.changes ? parsed.changes : {})) {
          if (Number.isSafeInteger(m?.at) && Array.isArray(m.keys)) changes[id] = { at: m.at, keys: m.keys.filter((k) => typeof k === 'string') };
        }
        state = { floor: parsed.floor!, channels: ints(parsed.channels), changes };
      }
    } catch {
      // first start: nothing journaled yet
    }
    return new PostCursor(file, state, debounceMs);
  }

  /** False until the first start has set a floor. */
  get started(): boolean {
    return this.#state !== undefined;
  }

  /** Begin tracking from `now` (first start: nothing before it is ours to deliver). Written at once. */
  async begin(now: number): Promise<void> {
    this.#state ??= { floor: now, channels: {} };
    this.#dirty = true;
    await this.flush();
  }

  /** Where a catch-up of `channelId` starts: its newest journaled post, else the floor. */
  since(channelId: string): number | undefined {
    if (!this.#state) return undefined;
    return this.#state.channels[channelId] ?? this.#state.floor;
  }

  /**
   * Whether an edit, deletion or reaction (at `at`, with `key`) of `channelId` was journaled already:
   * older than the channel's newest journaled change, or that very one. A quiet channel then does not
   * hand the agent the same old changes after every restart (nor long after their dedup keys expired).
   */
  changeSeen(channelId: string, at: number, key: string): boolean {
    const mark = this.#state?.changes?.[channelId];
    return mark !== undefined && (at < mark.at || (at === mark.at && mark.keys.includes(key)));
  }

  /** Record a journaled change of `channelId` (never moves back) and schedule a write. */
  advanceChange(channelId: string, at: number, key: string): void {
    if (!this.#state || !Number.isSafeInteger(at)) return;
    const changes = (this.#state.changes ??= {});
    const mark = changes[channelId];
    if (mark && at < mark.at) return;
    if (mark && at === mark.at) {
      if (mark.keys.includes(key) || mark.keys.length >= MAX_KEYS_AT_MARK) return;
      mark.keys.push(key);
    } else {
      changes[channelId] = { at, keys: [key] };
    }
    this.#schedule();
  }

  /** The oldest point any channel starts from (for the log). */
  oldest(): number | undefined {
    if (!this.#state) return undefined;
    return Math.min(this.#state.floor, ...Object.values(this.#state.channels));
  }

  /** Move `channelId` forward to `createAt` (never back) and schedule a write. */
  advance(channelId: string, createAt: number): void {
    if (!this.#state) return;
    const current = this.#state.channels[channelId] ?? this.#state.floor;
    if (createAt <= current && channelId in this.#state.channels) return;
    this.#state.channels[channelId] = Math.max(current, createAt);
    this.#schedule();
  }

  #schedule(): void {
    this.#dirty = true;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#debounceMs);
  }

  /** Write now if anything moved since the last write. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing
      .then(async () => {
        if (!this.#dirty || !this.#state) return;
        this.#dirty = false;
        await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 });
        const tmp = `${this.#file}.tmp`;
        await writeFile(tmp, `${JSON.stringify(this.#state)}\n`, { mode: 0o600 });
        await rename(tmp, this.#file);
      })
      .catch(() => {
        this.#dirty = true;
      });
    return this.#writing;
  }
}
