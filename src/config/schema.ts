/**
 * The core config schema: the single source of the config types. Connector blocks are validated by
 * each connector's own `schema.ts`, joined here as a union discriminated on `platform`.
 */
import { z } from 'zod';
import { agentSchema, type AgentConfig } from './agent-schema.js';
import { duration } from './fields.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const logSchema = z
  .strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('Least severe level written.'),
    file: z.string().optional().describe('Write the JSON log here instead of stderr.'),
  })
  .describe('Structured (pino) logging; secrets are redacted from every line.');

export const busSchema = z
  .strictObject({
    backend: z.literal('sqlite').default('sqlite').describe('sqlite: the embedded journal in state_dir.'),
    retention: z
      .strictObject({
        max_age: duration.default('7d').describe('Events older than this are deleted.'),
        max_events: z.int().positive().default(1_000_000).describe('At most this many events are kept (oldest go first).'),
      })
      .default({ max_age: '7d', max_events: 1_000_000 }),
  })
  .describe('The agent bus: where events are journaled before they are acknowledged.');

export const shutdownSchema = z
  .strictObject({
    timeout: duration.default('10s').describe('Longest a graceful stop may take; a second signal stops at once.'),
  })
  .describe('Graceful shutdown on SIGINT/SIGTERM.');

export const CONNECTOR_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The core schema around a given connector-block schema (built from the registry at load time). */
export function buildConfigSchema(connectorBlock: z.ZodType) {
  return z.strictObject({
    $schema: z.string().optional().describe('Path or URL of switchboard.schema.json, for editors.'),
    state_dir: z.string().default('~/.switchboard').describe('Where the journal, control socket and keys live (created 0700). Relative paths are relative to the config file.'),
    log: logSchema.default({ level: 'info' }),
    bus: busSchema.default({ backend: 'sqlite', retention: { max_age: '7d', max_events: 1_000_000 } }),
    shutdown: shutdownSchema.default({ timeout: '10s' }),
    agent: agentSchema.optional(),
    connectors: z
      .record(z.string().regex(CONNECTOR_NAME, 'a name of lowercase letters, digits, - and _'), connectorBlock)
      .describe('One block per bot/app, keyed by a name you choose; `platform` selects the connector.'),
  });
}

/** The validated, normalized, frozen config the runtime runs from. */
export interface LoadedConfig {
  /** Absolute path of the YAML file it came from. */
  file: string;
  /** Absolute, `~` expanded. */
  stateDir: string;
  log: { level: (typeof LOG_LEVELS)[number]; file?: string };
  bus: { backend: 'sqlite'; retention: { maxAgeMs: number; maxEvents: number } };
  shutdown: { timeoutMs: number };
  /** The agent runner's settings; absent when the config has no `agent:` block. */
  agent?: AgentConfig;
  /** Connector blocks in file order; secrets resolved to `Secret` instances. */
  connectors: Record<string, import('../registry-types.js').ConnectorConfig>;
  /** Every resolved secret value, for log redaction. */
  secretValues: readonly string[];
}
