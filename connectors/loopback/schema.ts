/** Config block of the `loopback` connector: a test platform spoken over a local TCP socket. */
import { z } from 'zod';
import { connectorBase, hostPort, secretRef } from '../../src/config/fields.js';
import type { ConnectorConfig } from '../../src/registry-types.js';
import type { ConnectorPlan } from '../../src/connector.js';

export const schema = z
  .strictObject({
    ...connectorBase('loopback'),
    endpoint: hostPort.describe('host:port of the loopback platform server (its emulator), dialled out to.'),
    token: secretRef.describe('The bot token the loopback server expects in its auth handshake.'),
  })
  .describe('loopback: a tiny test platform over TCP (used by tests and the sandbox). Outbound; no listener.');

export type LoopbackConfig = z.infer<typeof schema>;

/** Longest text the loopback platform accepts in one message (longer texts are split by the connector). */
export const LOOPBACK_TEXT_LIMIT = 2000;

export function describe(_config: ConnectorConfig): ConnectorPlan {
  return { transport: 'outbound-socket', verification: 'socket-auth', listeners: [], textLimit: LOOPBACK_TEXT_LIMIT, canEdit: true };
}
