/**
 * How far the journal has got, per channel: the `create_at` of the newest post journaled in each, kept
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

interface CursorState {
  floor: number;
  channels: Record<string, number>;
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
        const channels = Object.fromEntries(Object.entries(parsed.channels).filter(([, v]) => Number.isSafeInteger(v)));
        state = { floor: parsed.floor!, channels };
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
