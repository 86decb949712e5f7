/**
 * The JSON guard: one pass over the text, before `JSON.parse`, refusing documents nested deeper than
 * `maxDepth`, with more than `maxKeys` keys + array items, with a string longer than
 * `maxStringLength` (after unescaping), or with a `__proto__` / `constructor` / `prototype` key in any
 * spelling (`"\u005f_proto__"` included). Only then is the text parsed — so the parser never
 * recurses 100,000 levels or builds a million-key object, and nothing downstream can be polluted.
 */
import { isUtf8 } from 'node:buffer';
import type { Exchange, Rejection, SyncStage } from './exchange.js';
import type { JsonLimits } from './types.js';

/** Why a body was refused; each is a `rejectedBy` counter name. */
export type JsonRefusal = 'json-invalid' | 'json-too-deep' | 'json-too-many-keys' | 'json-string-too-long' | 'json-forbidden-key';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const LONGEST_FORBIDDEN = 11;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Scan `text`; undefined when within limits (structure errors are left to `JSON.parse`). */
export function scanJson(text: string, limits: JsonLimits): JsonRefusal | undefined {
  const inObject: boolean[] = []; // the open containers, innermost last
  let keyNext = false;
  let count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWhitespace(c) || c === 0x3a /* : */) {
      i++;
      continue;
    }
    if (c === 0x2c /* , */) {
      keyNext = inObject[inObject.length - 1] === true;
      i++;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (inObject.pop() === undefined) return 'json-invalid';
      keyNext = false;
      i++;
      continue;
    }
    const isKey = keyNext && inObject[inObject.length - 1] === true;
    keyNext = false;
    if (isKey || inObject[inObject.length - 1] === false) {
      if (++count > limits.maxKeys) return 'json-too-many-keys';
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (isKey) return 'json-invalid';
      const object = c === 0x7b;
      inObject.push(object);
      if (inObject.length > limits.maxDepth) return 'json-too-deep';
      keyNext = object;
      i++;
      continue;
    }
    if (c === QUOTE) {
      let j = i + 1;
      let length = 0;
      let escaped = false;
      for (;;) {
        if (j >= n) return 'json-invalid';
        const d = text.charCodeAt(j);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          j += text.charCodeAt(j + 1) === 0x75 /* u */ ? 6 : 2;
        } else {
          j++;
        }
        if (++length > limits.maxStringLength) return 'json-string-too-long';
      }
      if (isKey && length <= LONGEST_FORBIDDEN) {
        let key: unknown;
        try {
          key = escaped ? JSON.parse(text.slice(i, j + 1)) : text.slice(i + 1, j);
        } catch {
          return 'json-invalid';
        }
        if (FORBIDDEN_KEYS.has(key as string)) return 'json-forbidden-key';
      }
      i = j + 1;
      continue;
    }
    if (isKey) return 'json-invalid';
    // A scalar (number, true, false, null, or garbage for JSON.parse to refuse): skip to its end.
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 0x2c || d === 0x5d || d === 0x7d || d === QUOTE || d === 0x7b || d === 0x5b || isWhitespace(d)) break;
      i++;
    }
  }
  return undefined;
}

/**
 * Decode (strict UTF-8: no overlongs, no lone surrogates, no BOM), guard and parse `raw`. The guard
 * has already refused the dangerous keys, so the plain `JSON.parse` result holds none of them (no
 * reviver: it would double the parse cost).
 */
export function parseGuarded(raw: Buffer, limits: JsonLimits): { ok: true; value: unknown } | { ok: false; reason: JsonRefusal } {
  if (!isUtf8(raw)) return { ok: false, reason: 'json-invalid' };
  const text = raw.toString('utf8');
  const refusal = scanJson(text, limits);
  if (refusal) return { ok: false, reason: refusal };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'json-invalid' };
  }
}

/** Stage 7: guard and parse the verified body; a refusal is a generic 400 (413 is for size). */
export function jsonGuard(limits: JsonLimits): SyncStage {
  return function jsonGuard(ex: Exchange): Rejection | undefined {
    const parsed = parseGuarded(ex.body ?? Buffer.alloc(0), limits);
    if (!parsed.ok) return { status: 400, reason: parsed.reason };
    ex.json = parsed.value;
    return undefined;
  };
}
