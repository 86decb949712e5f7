/**
 * Config problems: a finding names a key path and what is wrong; once placed in the YAML it becomes a
 * one-line `FILE:LINE:COL: key.path: what is wrong (allowed: what is allowed)`.
 */

/** A path of keys (and list indices) from the top of the config, e.g. `['connectors', 'tg', 'token']`. */
export type KeyPath = readonly (string | number)[];

/** A problem tied to a key path; `at` says whether to point at the key itself or at its value. */
export interface Finding {
  path: KeyPath;
  at: 'key' | 'value';
  /** What is wrong and how to fix it, without the path (added when it is placed). */
  text: string;
}

/** A problem placed in the file: 1-based line and column, and the message after `FILE:LINE:COL: `. */
export interface Problem {
  line: number;
  col: number;
  message: string;
}

/** `connectors.tg.token`, `agent.command[0]`; the empty path is `(top level)`. */
export function renderPath(path: KeyPath): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Problems in file order, each as `FILE:LINE:COL: message`. */
export function formatProblems(file: string, problems: readonly Problem[]): string[] {
  return [...problems]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .map((p) => `${file}:${p.line}:${p.col}: ${p.message}`);
}

/** True when `path` is `prefix` or lies under it. */
export function isUnder(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => String(path[i]) === String(seg));
}

/** A short, secret-safe description of a config value for "got ..." messages. */
export function describeValue(value: unknown, opts: { showText?: boolean } = {}): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    // Text is echoed only where a value is expected to be an ordinary setting, and only when short:
    // a token pasted into the wrong place must not end up in a terminal or CI log.
    if (opts.showText && value.length <= 64) return JSON.stringify(value);
    return value === '' ? 'an empty string' : 'a string';
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return typeof value;
}

/** The closest candidate by edit distance, if close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDist <= limit ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
