/** The shapes a connector folder exports, as the registry loads them. */
import type { z } from 'zod';
import type { Connector, ConnectorDeps, ConnectorPlan, ListenerInfo } from './connector.js';
import type { Secret } from './config/secret.js';

/**
 * A connector's config block after validation: `platform`, `enabled`, and its own fields, with every
 * `{env}`/`{file}` reference replaced by a resolved `Secret`.
 */
export interface ConnectorConfig {
  platform: string;
  enabled: boolean;
  [key: string]: unknown;
}

/** `connectors/<platform>/schema.ts`: light, imported to validate config and plan `status`. */
export interface ConnectorSchemaModule {
  /** `z.strictObject({ ...connectorBase('<platform>'), ... })` */
  schema: z.ZodObject;
  /** Static facts from config alone: transport, verification, listeners it would open. */
  describe(config: ConnectorConfig): ConnectorPlan;
  /**
   * Extra checks zod cannot express (e.g. a bind address that must not be public). Secrets unresolved.
   * A message that starts with the key path it is about (`webhook.bind must be ...`) is reported at
   * that key's line.
   */
  check?(config: ConnectorConfig): string[];
  /**
   * Checks of the resolved secrets' shape (e.g. a Slack app token must start `xapp-`), run by
   * `config check` after resolution. Messages must describe, never quote, the value.
   */
  checkSecrets?(config: ConnectorConfig): string[];
  /**
   * Platform-specific warnings for `switchboard audit` (e.g. callbacks that would need a tunnel).
   * Not errors: the config is valid. Receives the loaded block (defaults applied; secrets as `Secret`
   * objects that print as [secret]); the access warnings (dm: open, ...) are the core's, not repeated here.
   */
  audit?(config: ConnectorConfig): string[];
  /**
   * Shapes of this platform's credentials (e.g. Slack's `xoxb-…`), masked in every log line and CLI
   * error even when they are not configured secrets. Registered with the log redactor whenever the
   * connector schemas are loaded; keep them specific enough not to mask ordinary ids.
   */
  redactPatterns?: readonly RegExp[];
}

/** `connectors/<platform>/index.ts`: the factory; importing it may load a heavy SDK. */
export interface ConnectorModule {
  create(config: ConnectorConfig, deps: ConnectorDeps): Connector;
}

export type { Secret };

/** A platform emulator as `switchboard sandbox` drives it. */
export interface SandboxPlatform {
  /** The connector block to run against this emulator; secrets as `{env: NAME}`. */
  block: Record<string, unknown>;
  /** Values for the env references in `block` (made-up tokens; the sandbox needs none of yours). */
  env: Record<string, string>;
  /** Endpoints of the emulator, for `sandbox --json`. */
  endpoints: Record<string, string>;
  /** Deliver `text` as a message from a chat user; returns the conversation id it arrived in. */
  injectText(text: string): string;
  /** Called with every message the bot sends on this platform. */
  onBotMessage(listener: (m: { conversation: string; text: string }) => void): void;
  /**
   * For a webhook platform: called once the runtime's connector is online, with its listeners (real
   * bind, hook URL), so the emulator knows where to deliver. Outbound platforms leave it out.
   */
  attach?(listeners: ListenerInfo[]): void;
  close(): Promise<void>;
}

/** `connectors/<platform>/emulator.ts`, as the sandbox loads it. */
export interface EmulatorModule {
  startSandbox(): Promise<SandboxPlatform>;
}
