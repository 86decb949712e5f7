/**
 * Value-based redaction: pino's path redaction cannot know where a token will appear (an SDK's error
 * message, a URL), so every serialized line is scrubbed of the configured secret values and of
 * token-shaped strings before it is written.
 *
 * The platforms' token shapes are not listed here: each connector's `schema.ts` exports its own
 * `redactPatterns`, and loading the connector schemas (which every config load does) registers them
 * with `registerTokenShapes`. A redactor reads the registered shapes on every call, so a logger made
 * before the config was loaded scrubs them too from then on.
 */

const MASK = '[REDACTED]';

/** Credential shapes that belong to no one platform, always scrubbed. */
const CORE_SHAPES: readonly RegExp[] = [
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\bwhk_[0-9a-f]{32}\b/g, // Switchboard webhook endpoint ids (the path is a capability)
];

const BEARER = /\b(Bearer|Bot|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi;

/** Shapes registered by the connector schemas, keyed by source and flags (registering twice is a no-op). */
const registered = new Map<string, RegExp>();

/**
 * Add token shapes (a connector schema's `redactPatterns`) to every redactor in this process, existing
 * ones included. A pattern without the `g` flag gets it, so every occurrence is masked.
 */
export function registerTokenShapes(patterns: Iterable<RegExp>): void {
  for (const p of patterns) {
    const global = p.flags.includes('g') ? p : new RegExp(p.source, `${p.flags}g`);
    registered.set(`${global.source}/${global.flags}`, global);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A function that removes every secret from a string. */
export type Redactor = (text: string) => string;

/**
 * Build a redactor for the given secret values (also matching their JSON-escaped form, as they would
 * appear inside a serialized log line). Values shorter than 4 characters are ignored: masking them would
 * shred ordinary text and they are not secrets worth the name.
 */
export function createRedactor(secretValues: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const value of secretValues) {
    if (value.length < 4) continue;
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(encodeURIComponent(value));
  }
  const literal = forms.size
    ? new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g')
    : undefined;
  return (text: string) => {
    let out = literal ? text.replace(literal, MASK) : text;
    for (const shape of CORE_SHAPES) out = out.replace(shape, MASK);
    for (const shape of registered.values()) out = out.replace(shape, MASK);
    return out.replace(BEARER, `$1 ${MASK}`);
  };
}
