/**
 * zod issues → findings a person can act on: what is wrong at which key, and what is allowed there.
 * Messages written in the schemas (`.regex(re, 'a duration such as 10s')`) are phrased as what is
 * allowed; zod's generic ones are replaced by our own wording.
 */
import type { z } from 'zod';
import { describeValue, didYouMean, type Finding, type KeyPath } from './problem.js';
import { allowedKeys, describeExpected, describeSchema, schemaAt } from './schema-walk.js';

/** The message our per-parse error map gives every issue whose schema did not set its own. */
export const GENERIC = '\u0000generic';

/** Pass to `safeParse` so that schema-written messages can be told from zod's generic ones. */
export const markGeneric = { error: () => GENERIC };

type Issue = z.core.$ZodIssue;

/** Every finding one zod issue stands for (an unknown-keys issue gives one per key). */
export function issueFindings(issue: Issue, schema: z.ZodType, data: unknown): Finding[] {
  const path: KeyPath = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const input = valueAt(data, path);
  const own = issue.message !== GENERIC ? issue.message : undefined;
  const allowed = (fallback: () => string): string => `(allowed: ${own ?? fallback()})`;
  const here = (text: string, at: 'key' | 'value' = 'value'): Finding[] => [{ path, at, text }];

  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = allowedKeys(schema, path, data);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, keys);
        const hint = guess ? `; did you mean ${JSON.stringify(guess)}?` : '';
        return { path: [...path, key], at: 'key', text: `unknown key${hint} (allowed: ${keys.join(', ')})` };
      });
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      const what = inner && inner.message !== GENERIC ? inner.message : 'a different name';
      return here(`invalid name ${describeValue(path.at(-1), { showText: true })} (allowed: ${what})`, 'key');
    }
    case 'invalid_type':
      if (input === undefined) return here(`required key is missing ${allowed(() => describeExpected(issue.expected))}`);
      // The schema's own words when it has them ("a duration such as 10s"), not just "a string".
      return here(`got ${describeValue(input)} ${allowed(() => (issue.expected === 'string' ? describeSchema(schemaAt(schema, path, data)) : describeExpected(issue.expected)))}`);
    case 'invalid_value':
      return here(`got ${describeValue(input, { showText: true })} ${allowed(() => oneOf(issue.values))}`);
    case 'invalid_format':
      // `{env: ...}` holding something that is no variable name is most likely the secret itself: never echo it.
      if (path.at(-1) === 'env') return here('got a value that is not an environment variable name (not shown: it may be the secret itself); write {env: NAME} with the name of the variable that holds the secret');
      return here(`got ${describeValue(input, { showText: true })} ${allowed(() => formatWords(issue))}`);
    case 'too_small':
    case 'too_big':
      return here(`got ${describeValue(input, { showText: true })} ${allowed(() => boundWords(issue, describeSchema(schemaAt(schema, path, data))))}`);
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        // No option has this discriminator value (e.g. an unknown `platform`).
        return here(`got ${describeValue(input, { showText: true })} (allowed: ${oneOf(issue.options)})`);
      }
      // When exactly one option fits the mapping's keys, its own issues say more than "no option fits".
      const branch = soleBranch(issue.errors);
      if (branch) return branch.flatMap((sub) => issueFindings({ ...sub, path: [...path, ...sub.path] }, schema, data));
      const what = input === undefined ? 'required key is missing' : `got ${describeMapping(input, schemaAt(schema, path, data))}`;
      return here(`${what} ${allowed(() => describeSchema(schemaAt(schema, path, data)))}`);
    }
    case 'not_multiple_of':
      return here(`got ${describeValue(input)} ${allowed(() => `a multiple of ${String(issue.divisor)}`)}`);
    default:
      return here(own ?? `invalid value ${allowed(() => describeSchema(schemaAt(schema, path, data)))}`);
  }
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let here = data;
  for (const seg of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[seg];
  }
  return here;
}

/** The one union option whose issues lie inside the value (no unknown keys, no wrong type at its top). */
function soleBranch(errors: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const fitting = errors.filter(
    (issues) => issues.length > 0 && issues.every((i) => i.path.length > 0 && i.code !== 'unrecognized_keys'),
  );
  return fitting.length === 1 ? fitting[0] : undefined;
}

/** `a mapping with keys env, file`, with a did-you-mean for a key no option has. */
function describeMapping(input: unknown, union: ReturnType<typeof schemaAt>): string {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return describeValue(input);
  const keys = Object.keys(input);
  if (keys.length === 0) return 'an empty mapping';
  const known = optionKeys(union);
  const guesses = keys.filter((k) => !known.includes(k)).map((k) => didYouMean(k, known)).filter((g) => g !== undefined);
  const hint = guesses.length > 0 ? `; did you mean ${guesses.map((g) => JSON.stringify(g)).join(', ')}?` : '';
  return `a mapping with ${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}${hint}`;
}

function optionKeys(union: ReturnType<typeof schemaAt>): string[] {
  const options = union?._zod.def.options ?? [];
  return options.flatMap((o) => Object.keys(o._zod.def.shape ?? {}));
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length === 1 ? shown[0]! : `one of ${shown.join(', ')}`;
}

function formatWords(issue: z.core.$ZodIssueInvalidStringFormat): string {
  if (issue.format === 'regex' && issue.pattern) return `text matching ${issue.pattern}`;
  return `a valid ${issue.format}`;
}

function boundWords(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, noun: string): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive ?? true;
  switch (issue.origin) {
    case 'string':
      if (small && bound === 1) return 'a non-empty string';
      return `a string of ${small ? 'at least' : 'at most'} ${bound} characters`;
    case 'array':
      return `a list of ${small ? 'at least' : 'at most'} ${bound} items`;
    default: {
      const op = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      return `${noun === 'an integer' ? noun : 'a number'} ${op} ${bound}`;
    }
  }
}
