/** A zod schema of `InboundEvent`, for validating events that cross a process boundary and in tests. */
import { z } from 'zod';

export const inboundEventSchema = z.strictObject({
  id: z.string().min(1),
  dedupKey: z.string().min(3),
  connector: z.string().min(1),
  platform: z.string().min(1),
  kind: z.enum(['message', 'command', 'action', 'reaction', 'edit', 'delete', 'lifecycle']),
  conversation: z.strictObject({
    id: z.string().min(1),
    kind: z.enum(['dm', 'group', 'channel', 'thread']),
    parentId: z.string().optional(),
    title: z.string().optional(),
  }),
  sender: z.strictObject({ id: z.string().min(1), name: z.string().optional(), username: z.string().optional(), isBot: z.boolean() }),
  messageId: z.string().optional(),
  text: z.string().optional(),
  replyTo: z.string().optional(),
  action: z.strictObject({ id: z.string(), value: z.string().optional() }).optional(),
  attachments: z.array(z.strictObject({ kind: z.string(), name: z.string().optional(), size: z.number().optional(), ref: z.string() })).optional(),
  receivedAt: z.iso.datetime(),
  platformTime: z.iso.datetime().optional(),
  provenance: z.strictObject({
    transport: z.enum(['outbound-socket', 'webhook']),
    verified: z.enum(['signature', 'token', 'socket-auth']),
    sender: z.enum(['owner', 'allowed', 'paired', 'unknown']),
  }),
  correlationId: z.string().min(1),
});
