import { inspect } from 'node:util';

/**
 * A resolved secret. Its value leaves only through `reveal()`; printing, logging or JSON-encoding it
 * shows `[secret]`, so a stray `log.info(config)` cannot leak a token.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from, e.g. `env:TELEGRAM_BOT_TOKEN` or `file:/run/secrets/tg` (not the value). */
  readonly source: string;
  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return `[secret ${this.source}]`;
  }
}

/**
 * A secret a command chose not to resolve (`status`, `pair`, `tail`, `send`, `audit` need none): the
 * config is still validated, but the environment variable or file is not read. Revealing it is a bug.
 */
export class UnresolvedSecret extends Secret {
  constructor(source: string) {
    super('', source);
  }
  override reveal(): string {
    throw new Error(`secret ${this.source} was not resolved by this command (a bug: resolve secrets where they are used)`);
  }
}
