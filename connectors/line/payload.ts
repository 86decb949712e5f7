/**
 * The shape of a LINE webhook body, as far as the connector relies on it (zod, loose: LINE adds
 * fields over time and they must not make a genuine delivery fail). The body is authenticated before
 * this runs, so nothing here may count toward the fail-ban: a body without an `events` array is
 * answered 400 (`bad-payload`), and one event of an unexpected shape is skipped and counted
 * (`bad-event`) while the others in the delivery are journaled.
 */
import { z } from 'zod';

const id = z.string().min(1).max(256);

const source = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user'), userId: id }),
  z.looseObject({ type: z.literal('group'), groupId: id, userId: id.optional() }),
  z.looseObject({ type: z.literal('room'), roomId: id, userId: id.optional() }),
]);

const message = z.looseObject({ id, type: z.string().min(1) });

/** One event; checked one by one so a single odd event does not cost its neighbours. */
export const eventSchema = z.looseObject({
  type: z.string().min(1),
  // Within what `Date` can represent (normalize turns it into an ISO time).
  timestamp: z.number().nonnegative().max(8.64e15),
  webhookEventId: id,
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }),
  mode: z.string().optional(),
  source: source.optional(),
  replyToken: z.string().min(1).optional(),
  message: message.optional(),
  postback: z.looseObject({ data: z.string() }).optional(),
  unsend: z.looseObject({ messageId: id }).optional(),
});

/** `{destination, events[]}`; LINE's console "Verify" button sends an empty `events` array. Events unchecked here. */
export const webhookBodySchema = z.looseObject({
  destination: z.string().optional(),
  events: z.array(z.unknown()),
});

export type LineWebhookBody = z.infer<typeof webhookBodySchema>;
export type LineEvent = z.infer<typeof eventSchema>;
export type LineSource = NonNullable<LineEvent['source']>;
export type LineMessage = NonNullable<LineEvent['message']>;
