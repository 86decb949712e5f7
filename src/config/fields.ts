/**
 * Reusable zod field schemas for config blocks: secrets, durations, sizes, the connector base.
 * Connector `schema.ts` files build on these; none of them transforms, so the JSON schema stays exact.
 */
import { z } from 'zod';

/** `{env: NAME}` or `{file: PATH}` — the only ways to give a secret. Never an inline string. */
export const secretRef = z.union(
  [
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
    z.strictObject({ file: z.string().min(1) }),
  ],
  { error: 'a secret reference: write {env: NAME} or {file: PATH} (secrets are never written inline)' },
).describe('A secret: {env: NAME} reads an environment variable, {file: PATH} a file readable only by you (mode 600).');

export type SecretRef = z.infer<typeof secretRef>;

const DURATION = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)$/;
/** A duration such as `500ms`, `10s`, `5m`, `1h`, `7d`. */
export const duration = z
  .string()
  .regex(DURATION, 'a duration such as 500ms, 10s, 5m, 1h or 7d');

/** Milliseconds in a validated duration string. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

/** A URL with an http(s) or ws(s) scheme, e.g. an API base override pointing at an emulator. */
export const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(?:\/\S*)?$/, 'an http:// or https:// URL');

/** `host:port` for TCP endpoints. */
export const hostPort = z
  .string()
  .regex(/^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8787');

/**
 * The fields every connector block has. A connector schema is
 * `z.strictObject({ ...connectorBase('myplatform'), ...its own fields })`.
 */
export function connectorBase<P extends string>(platform: P) {
  return {
    platform: z.literal(platform),
    enabled: z.boolean().default(true).describe('Set false to keep the block but not run it.'),
  };
}
