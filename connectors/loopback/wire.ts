/**
 * The loopback platform's wire format: newline-delimited JSON over TCP. A miniature of what real
 * platforms do — token handshake, sequenced events the client must ack, redelivery of un-acked events
 * on the next connection, request/response for sending, rate limits with retry_after.
 */
import { LOOPBACK_TEXT_LIMIT } from './schema.js';

export interface LoopbackChat {
  id: string;
  type: 'dm' | 'group';
  title?: string;
}

export interface LoopbackUser {
  id: string;
  name?: string;
  bot?: boolean;
}

export type LoopbackUpdate =
  | { type: 'message'; id: string; chat: LoopbackChat; from: LoopbackUser; text: string; reply_to?: string; thread?: string; date: number }
  | { type: 'edit'; id: string; message_id: string; chat: LoopbackChat; from: LoopbackUser; text: string; date: number }
  | { type: 'button'; id: string; message_id: string; chat: LoopbackChat; from: LoopbackUser; action: string; value?: string; date: number };

/** Client → server. */
export type ClientFrame =
  | { op: 'hello'; token: string }
  | { op: 'ack'; seq: number }
  | { op: 'send'; req: number; chat: string; text: string; reply_to?: string; thread?: string; buttons?: { id: string; label: string; value?: string }[] }
  | { op: 'edit'; req: number; chat: string; message_id: string; text: string }
  | { op: 'react'; req: number; chat: string; message_id: string; emoji: string }
  | { op: 'typing'; req: number; chat: string };

/** Server → client. */
export type ServerFrame =
  | { op: 'ready'; bot: LoopbackUser }
  | { op: 'error'; code: 'unauthorized' | 'bad_request'; message: string }
  | { op: 'event'; seq: number; update: LoopbackUpdate }
  | { op: 'result'; req: number; ok: true; message_id?: string }
  | { op: 'result'; req: number; ok: false; code: 'rate_limited' | 'server_error' | 'bad_request'; message: string; retry_after?: number };

/** Re-exported from schema.ts, where `describe()` (read without the SDK) needs it too. */
export { LOOPBACK_TEXT_LIMIT };
