/**
 * Walking a zod schema along a key path, guided by the data: which schema governs `connectors.tg`
 * (the union option its `platform` picks), which keys an object there allows, and how to say in words
 * what a schema accepts.
 */
import type { z } from 'zod';
import type { KeyPath } from './problem.js';

interface Def {
  type: string;
  format?: string;
  innerType?: Node;
  in?: Node;
  shape?: Record<string, Node>;
  valueType?: Node;
  element?: Node;
  options?: Node[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  getter?: () => Node;
}
interface Node {
  _zod: { def: Def };
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function node(schema: z.ZodType): Node {
  return schema as unknown as Node;
}

/** Strip optional/default/pipe wrappers, and pick the union option that fits `data`. */
function resolve(n: Node, data: unknown): Node {
  for (;;) {
    const def = n._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType) n = def.innerType;
    else if (def.type === 'pipe' && def.in) n = def.in;
    else if (def.type === 'lazy' && def.getter) n = def.getter();
    else if (def.type === 'union' && def.options) {
      const picked = pickOption(def, data);
      if (!picked) return n;
      n = picked;
    } else return n;
  }
}

/** The option a discriminator value selects, else the object option sharing the most keys with `data`. */
function pickOption(def: Def, data: unknown): Node | undefined {
  const options = def.options ?? [];
  const record = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  if (!record) return undefined;
  if (def.discriminator) {
    const want = record[def.discriminator];
    return options.find((o) => {
      const field = resolve(o, undefined)._zod.def.shape?.[def.discriminator!];
      return field?._zod.def.values?.includes(want) ?? false;
    });
  }
  let best: Node | undefined;
  let bestScore = 0;
  for (const o of options) {
    const shape = resolve(o, undefined)._zod.def.shape;
    const score = shape ? Object.keys(record).filter((k) => k in shape).length : 0;
    if (score > bestScore) {
      best = o;
      bestScore = score;
    }
  }
  return best;
}

function valueAt(data: unknown, seg: string | number): unknown {
  return data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[seg] : undefined;
}

/** The schema governing `path` in `data` (wrappers stripped, union options chosen), if any. */
export function schemaAt(schema: z.ZodType, path: KeyPath, data: unknown): Node | undefined {
  let n = resolve(node(schema), data);
  let here = data;
  for (const seg of path) {
    const def = n._zod.def;
    let next: Node | undefined;
    if (def.type === 'object') next = def.shape?.[String(seg)];
    else if (def.type === 'record') next = def.valueType;
    else if (def.type === 'array') next = def.element;
    if (!next) return undefined;
    here = valueAt(here, seg);
    n = resolve(next, here);
  }
  return n;
}

/** The keys the object at `path` allows, in schema order; empty when it is not an object. */
export function allowedKeys(schema: z.ZodType, path: KeyPath, data: unknown): string[] {
  const n = schemaAt(schema, path, data);
  return n?._zod.def.type === 'object' ? Object.keys(n._zod.def.shape ?? {}) : [];
}

/** What a schema accepts, in words: `a string`, `one of "info", "debug"`, `a mapping with keys a, b`. */
export function describeSchema(n: Node | undefined): string {
  if (!n) return 'a value this key accepts';
  const def = n._zod.def;
  switch (def.type) {
    case 'string': return formatMessage(def) ?? 'a string';
    case 'number': return def.format?.includes('int') ? 'an integer' : 'a number';
    case 'int': return 'an integer';
    case 'boolean': return 'true or false';
    case 'literal': return (def.values ?? []).map((v) => JSON.stringify(v)).join(' or ');
    case 'enum': return `one of ${Object.values(def.entries ?? {}).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'object': return `a mapping with keys ${Object.keys(def.shape ?? {}).join(', ')}`;
    case 'record': return 'a mapping';
    case 'array': return 'a list';
    case 'union': return (def.options ?? []).map((o) => describeSchema(resolve(o, undefined))).join(', or ');
    default: return def.type;
  }
}

/** The message a string schema's format check was given (e.g. "a duration such as 500ms, ..."), if any. */
function formatMessage(def: Node['_zod']['def']): string | undefined {
  for (const check of (def as { checks?: { _zod: { def: { check?: string; error?: unknown } } }[] }).checks ?? []) {
    const { check: kind, error } = check._zod.def;
    if (kind !== 'string_format' || typeof error !== 'function') continue;
    const message: unknown = (error as (issue: object) => unknown)({});
    if (typeof message === 'string') return message;
  }
  return undefined;
}

/** Words for a zod `expected` type name. */
export function describeExpected(expected: string): string {
  const words: Record<string, string> = {
    string: 'a string', number: 'a number', int: 'an integer', boolean: 'true or false',
    object: 'a mapping', record: 'a mapping', array: 'a list', tuple: 'a list', null: 'an empty value',
  };
  return words[expected] ?? expected;
}
