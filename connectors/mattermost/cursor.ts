/**
 * How far the journal has got, as the `create_at` of the newest post journaled in order, kept in
 * `<stateDir>/mattermost/<connector>.cursor` so that after a crash (or any gap the socket cannot
 * resume across) the posts since then are fetched over REST. Written after journaling, debounced and
 * atomically (temp file + rename); losing the last write only makes the catch-up fetch a little more,
 * which the dedup key absorbs.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class PostCursor {
  readonly #file: string;
  readonly #debounceMs: number;
  #value: number | undefined;
  #written: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, value: number | undefined, debounceMs: number) {
    this.#file = file;
    this.#value = value;
    this.#written = value;
    this.#debounceMs = debounceMs;
  }

  /** Read the cursor at `file` (absent or unreadable = none yet). */
  static async load(file: string, debounceMs = 200): Promise<PostCursor> {
    let value: number | undefined;
    try {
      const n = Number((await readFile(file, 'utf8')).trim());
      if (Number.isSafeInteger(n) && n > 0) value = n;
    } catch {
      // first start: nothing journaled yet
    }
    return new PostCursor(file, value, debounceMs);
  }

  /** The newest journaled post's `create_at`, if any. */
  get value(): number | undefined {
    return this.#value;
  }

  /** Move forward to `createAt` (never back) and schedule a write. */
  advance(createAt: number): void {
    if (this.#value !== undefined && createAt <= this.#value) return;
    this.#value = createAt;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#debounceMs);
  }

  /** Write now if the value moved since the last write. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing.then(async () => {
      const value = this.#value;
      if (value === undefined || value === this.#written) return;
      await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 });
      const tmp = `${this.#file}.tmp`;
      await writeFile(tmp, `${value}\n`, { mode: 0o600 });
      await rename(tmp, this.#file);
      this.#written = value;
    }).catch(() => undefined);
    return this.#writing;
  }
}
