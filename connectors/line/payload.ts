/**
 * The shape of a LINE webhook body, as far as the connector relies on it (zod, loose: LINE adds
 * fields over time and they must not make a genuine delivery fail). A body that does not parse is
 * answered 400 and counted as `bad-payload`.
 */
import { z } from 'zod';

const id = z.string().min(1).max(256);

const source = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user'), userId: id }),
  z.looseObject({ type: z.literal('group'), groupId: id, userId: id.optional() }),
  z.looseObject({ type: z.literal('room'), roomId: id, userId: id.optional() }),
]);

const message = z.looseObject({ id, type: z.string().min(1) });

const event = z.looseObject({
  type: z.string().min(1),
  timestamp: z.number().nonnegative(),
  webhookEventId: id,
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }),
  mode: z.string().optional(),
  source: source.optional(),
  replyToken: z.string().min(1).optional(),
  message: message.optional(),
  postback: z.looseObject({ data: z.string() }).optional(),
  unsend: z.looseObject({ messageId: id }).optional(),
});

/** `{destination, events[]}`; LINE's console "Verify" button sends an empty `events` array. */
export const webhookBodySchema = z.looseObject({
  destination: z.string(),
  events: z.array(event).max(1_000),
});

export type LineWebhookBody = z.infer<typeof webhookBodySchema>;
export type LineEvent = LineWebhookBody['events'][number];
export type LineSource = NonNullable<LineEvent['source']>;
export type LineMessage = NonNullable<LineEvent['message']>;
