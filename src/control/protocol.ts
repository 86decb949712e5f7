/**
 * The control socket's wire format (newline-delimited JSON). Requests carry an `id` the response
 * echoes; `subscribe` answers once and then streams `{id, event}` lines under the same id.
 */
import { z } from 'zod';
import type { BusStats } from '../bus/bus.js';
import type { InboundEvent } from '../bus/types.js';
import type { ConnectorReport } from '../supervisor/supervisor.js';

const buttonSpec = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  label: z.string().min(1).max(80),
  value: z.string().max(256).optional(),
  style: z.enum(['primary', 'secondary', 'danger']).optional(),
});

const base = {
  connector: z.string().min(1),
  conversation: z.string().min(1),
  thread: z.string().optional(),
  correlationId: z.string().optional(),
};

/** Validates an outbound command coming from outside the process. */
export const outboundCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('send'), text: z.string().min(1) }),
  z.strictObject({ ...base, type: z.literal('reply'), replyTo: z.string().min(1), text: z.string().min(1) }),
  z.strictObject({ ...base, type: z.literal('edit'), messageId: z.string().min(1), text: z.string().min(1) }),
  z.strictObject({ ...base, type: z.literal('react'), messageId: z.string().min(1), emoji: z.string().min(1) }),
  z.strictObject({ ...base, type: z.literal('typing') }),
  z.strictObject({ ...base, type: z.literal('buttons'), text: z.string().min(1), buttons: z.array(buttonSpec).min(1).max(25), allowedUsers: z.array(z.string()).optional() }),
]);

export const controlRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ id: z.number().int(), op: z.literal('ping') }),
  z.strictObject({ id: z.number().int(), op: z.literal('status') }),
  z.strictObject({ id: z.number().int(), op: z.literal('send'), command: outboundCommandSchema }),
  z.strictObject({ id: z.number().int(), op: z.literal('subscribe'), subscriber: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), from: z.string().optional() }),
  z.strictObject({ id: z.number().int(), op: z.literal('ack'), event: z.string().min(1) }),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;

export interface RuntimeStatus {
  pid: number;
  startedAt: string;
  configFile: string;
  stateDir: string;
  connectors: ConnectorReport[];
  bus: BusStats;
}

export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }
  | { id: number; event: InboundEvent };

/** The control socket's file name inside the state directory. */
export const CONTROL_SOCKET = 'control.sock';
