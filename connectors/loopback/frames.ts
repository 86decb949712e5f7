/**
 * What the loopback server sends, checked before it is trusted: one line → a well-formed frame, or
 * the reason it is not (and, for a malformed event, its sequence number so it can be acked and skipped;
 * for a malformed result, its request number so the call waiting for it can be failed).
 */
import { z } from 'zod';
import type { ServerFrame } from './wire.js';

/** The largest |ms since epoch| a JavaScript Date holds; beyond it `toISOString()` throws. */
const MAX_DATE_MS = 8.64e15;

const id = z.string().min(1);
const chat = z.object({ id, type: z.enum(['dm', 'group']), title: z.string().optional() });
const user = z.object({ id, name: z.string().optional(), bot: z.boolean().optional() });
const date = z.number().min(-MAX_DATE_MS).max(MAX_DATE_MS);
const seq = z.number().int().nonnegative();

const update = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), id, chat, from: user, text: z.string(), reply_to: id.optional(), thread: id.optional(), date }),
  z.object({ type: z.literal('edit'), id, message_id: id, chat, from: user, text: z.string(), date }),
  z.object({ type: z.literal('button'), id, message_id: id, chat, from: user, action: id, value: z.string().optional(), date }),
]);

const result = z.discriminatedUnion('ok', [
  z.object({ op: z.literal('result'), req: seq, ok: z.literal(true), message_id: z.string().optional() }),
  z.object({
    op: z.literal('result'), req: seq, ok: z.literal(false),
    code: z.enum(['rate_limited', 'server_error', 'bad_request']), message: z.string(), retry_after: z.number().nonnegative().optional(),
  }),
]);

const frame = z.union([
  z.object({ op: z.literal('ready'), bot: user }),
  z.object({ op: z.literal('error'), code: z.enum(['unauthorized', 'bad_request']), message: z.string() }),
  z.object({ op: z.literal('event'), seq, update }),
  result,
]);

/** Where a value fails a schema: field paths only, never a value (frames carry user content). */
function pathsOf(error: z.ZodError): string[] {
  return [...new Set(error.issues.map((i) => i.path.join('.') || '(frame)'))].slice(0, 5);
}

/** A parsed line: the frame, or why it was refused (a short reason for the rejected counter). */
export type ParsedFrame =
  | { ok: true; frame: ServerFrame }
  | { ok: false; reason: 'not-json' | 'malformed-frame' | 'malformed-event'; seq?: number; req?: number; fields?: string[] };

/** Parse and check one line from the server. Never throws. */
export function parseServerFrame(line: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  const parsed = frame.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data as ServerFrame };
  // An event whose envelope is sound but whose update is not: it can be acked and skipped by its seq.
  const event = z.object({ op: z.literal('event'), seq }).safeParse(value);
  if (event.success) return { ok: false, reason: 'malformed-event', seq: event.data.seq, fields: pathsOf(parsed.error) };
  // A result whose `req` is sound but whose body is not: the call waiting for that `req` must be failed.
  const envelope = z.object({ op: z.literal('result'), req: seq }).safeParse(value);
  if (envelope.success) {
    const body = result.safeParse(value);
    return { ok: false, reason: 'malformed-frame', req: envelope.data.req, fields: body.success ? ['(frame)'] : pathsOf(body.error) };
  }
  return { ok: false, reason: 'malformed-frame', fields: pathsOf(parsed.error) };
}
