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

/** Who may reach the agent through one connector (src/security/access-policy.ts applies it). */
export const accessSchema = z
  .strictObject({
    dm: z
      .enum(['pairing', 'allowlist', 'open', 'disabled'])
      .default('pairing')
      .describe('Direct messages. pairing: a stranger gets a code that an owner approves (switchboard pair approve CODE); allowlist: only owners, allowed and already paired users; open: anyone (never a default; audit warns); disabled: none but owners.'),
    groups: z
      .array(z.string().min(1))
      .default([])
      .describe('Group/channel conversation ids (as `switchboard tail --json` shows them) whose members may reach the agent; a thread counts when its parent channel is listed. "*" = every group (audit warns). Default: none.'),
    owners: z
      .array(z.string().min(1))
      .default([])
      .describe('Stable platform user ids of the owners: they always pass, in DMs and in any group, and are not rate-limited.'),
    allowed: z
      .array(z.string().min(1))
      .default([])
      .describe('Platform user ids allowed to DM the agent without pairing.'),
    rate_limit: z
      .int()
      .min(0)
      .default(20)
      .describe('Most messages (and button presses, reactions, edits) per minute per sender that reach the agent; then one polite notice and silence. 0 = no limit. Owners are exempt. Default: 20.'),
  })
  .describe('Who may reach the agent through this connector. Default: DMs by pairing, no groups.');

/** The validated `access` block of a connector. */
export type AccessConfig = z.output<typeof accessSchema>;

/** The defaults of `access` when a block leaves it out. */
export const ACCESS_DEFAULTS: AccessConfig = { dm: 'pairing', groups: [], owners: [], allowed: [], rate_limit: 20 };

/**
 * The fields every connector block has. A connector schema is
 * `z.strictObject({ ...connectorBase('myplatform'), ...its own fields })`.
 */
export function connectorBase<P extends string>(platform: P) {
  return {
    platform: z.literal(platform),
    enabled: z.boolean().default(true).describe('Set false to keep the block but not run it.'),
    access: accessSchema.default(() => ({ ...ACCESS_DEFAULTS, groups: [], owners: [], allowed: [] })),
  };
}
