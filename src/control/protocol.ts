/**
 * The control socket's wire format (newline-delimited JSON), which is also the agent API
 * (docs/agent-api.md). Requests carry an `id` the response echoes; `subscribe` answers once and then
 * streams `{id, event}` lines under the same id. Each outbound command is its own op with flat fields.
 */
import { z } from 'zod';
import type { AgentRunnerStats } from '../agent/runner.js';
import type { BusStats } from '../bus/bus.js';
import type { EventKind, InboundEvent, OutboundCommand } from '../bus/types.js';
import type { ConnectorReport } from '../supervisor/supervisor.js';
import { MAX_ACK_WINDOW } from './delivery-flow.js';

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

/** The fields of each outbound command besides `connector`, `conversation`, `thread`, `correlationId`. */
const commandFields = {
  send: { text: z.string().min(1) },
  reply: { replyTo: z.string().min(1), text: z.string().min(1) },
  edit: { messageId: z.string().min(1), text: z.string().min(1) },
  react: { messageId: z.string().min(1), emoji: z.string().min(1) },
  typing: {},
  buttons: { text: z.string().min(1), buttons: z.array(buttonSpec).min(1).max(25), allowedUsers: z.array(z.string()).optional() },
} as const;

/** The outbound command ops, in wire order. */
export const COMMAND_OPS = ['send', 'reply', 'edit', 'react', 'typing', 'buttons'] as const satisfies readonly OutboundCommand['type'][];

/** Validates an outbound command coming from outside the process. */
export const outboundCommandSchema = z.discriminatedUnion(
  'type',
  COMMAND_OPS.map((type) => z.strictObject({ ...base, type: z.literal(type), ...commandFields[type] })) as never as [z.ZodObject, ...z.ZodObject[]],
);

const EVENT_KINDS = ['message', 'command', 'action', 'reaction', 'edit', 'delete', 'lifecycle'] as const satisfies readonly EventKind[];
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

/** `subscribe`'s filter: an event passes when it matches every given field (a list = any of them). */
export const eventFilterSchema = z.strictObject({
  connector: oneOrMany(z.string().min(1)).optional(),
  conversation: oneOrMany(z.string().min(1)).optional(),
  kind: oneOrMany(z.enum(EVENT_KINDS)).optional(),
});

export type EventFilter = z.infer<typeof eventFilterSchema>;

/** Subscriber names: what cursors are kept under. */
export const SUBSCRIBER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const requestId = { id: z.number().int() };

export const controlRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ ...requestId, op: z.literal('ping') }),
  z.strictObject({ ...requestId, op: z.literal('status') }),
  z.strictObject({ ...requestId, op: z.literal('subscribe'), subscriber: z.string().regex(SUBSCRIBER_NAME), from: z.string().optional(), filter: eventFilterSchema.optional(), window: z.number().int().min(1).max(MAX_ACK_WINDOW).optional() }),
  z.strictObject({ ...requestId, op: z.literal('ack'), event: z.string().min(1) }),
  ...COMMAND_OPS.map((op) => z.strictObject({ ...requestId, op: z.literal(op), ...base, ...commandFields[op] })),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlOp = ControlRequest['op'];

/** The command a command op carries: the request without `id`, with `op` renamed `type`. */
export function commandOf(request: { id: number; op: string } & Record<string, unknown>): OutboundCommand {
  const { id: _id, op, ...fields } = request;
  return { type: op, ...fields } as OutboundCommand;
}

/** True when an event passes `filter`. */
export function matchesFilter(event: InboundEvent, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  const has = (want: string | readonly string[] | undefined, value: string) => want === undefined || (typeof want === 'string' ? want === value : want.includes(value));
  return has(filter.connector, event.connector) && has(filter.conversation, event.conversation.id) && has(filter.kind, event.kind);
}

export interface RuntimeStatus {
  pid: number;
  startedAt: string;
  configFile: string;
  stateDir: string;
  connectors: ConnectorReport[];
  bus: BusStats;
  /** The agent runner, when the config has an `agent:` block. */
  agent?: AgentRunnerStats;
}

/** An error line's body: a stable code (docs/agent-api.md), a message naming the fix. */
export interface WireError {
  code: string;
  message: string;
  /** The platform asked to wait this long before trying again (`SB_E_RATE_LIMITED`). */
  retryAfterMs?: number;
}

export type ControlResponse =
  | { id: number | null; ok: true; result: unknown }
  | { id: number | null; ok: false; error: WireError }
  | { id: number; event: InboundEvent };

/** The control socket's file name inside the state directory; it is also the agent API socket. */
export const CONTROL_SOCKET = 'control.sock';
