/**
 * Value-based redaction: pino's path redaction cannot know where a token will appear (an SDK's error
 * message, a URL), so every serialized line is scrubbed of the configured secret values and of
 * token-shaped strings before it is written.
 */

const MASK = '[REDACTED]';

/** Patterns of well-known credential shapes, scrubbed even when they are not configured secrets. */
const TOKEN_SHAPES: RegExp[] = [
  /\b\d{5,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot token
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g, // Slack bot/user tokens
  /\bxapp-[A-Za-z0-9-]{8,}/g, // Slack app-level token
  /\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g, // Discord bot token
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\b[tu]-[A-Za-z0-9_]{24,}/g, // Lark/Feishu tenant and user access tokens
  /\bwhk_[0-9a-f]{32}\b/g, // Switchboard webhook endpoint ids (the path is a capability)
];

const BEARER = /\b(Bearer|Bot|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi;

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
    for (const shape of TOKEN_SHAPES) out = out.replace(shape, MASK);
    return out.replace(BEARER, `$1 ${MASK}`);
  };
}
