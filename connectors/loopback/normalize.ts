/** loopback update → bus event draft. Pure; unit-tested on recorded payloads. */
import type { EventDraft } from '../../src/bus/types.js';
import type { LoopbackUpdate } from './wire.js';

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:\s|$)/;

/** Normalize one update, already checked by `parseServerFrame` (frames.ts). `connector` is the config name, used in the dedup key. */
export function normalizeUpdate(connector: string, update: LoopbackUpdate): EventDraft {
  const conversation = {
    id: update.type === 'message' && update.thread ? update.thread : update.chat.id,
    kind: update.type === 'message' && update.thread ? ('thread' as const) : update.chat.type,
    ...(update.type === 'message' && update.thread ? { parentId: update.chat.id } : {}),
    ...(update.chat.title ? { title: update.chat.title } : {}),
  };
  const sender = {
    id: update.from.id,
    ...(update.from.name ? { name: update.from.name } : {}),
    isBot: update.from.bot === true,
  };
  const common = {
    dedupKey: `${connector}:${update.id}`,
    connector,
    platform: 'loopback',
    conversation,
    sender,
    platformTime: new Date(update.date).toISOString(),
    provenance: { transport: 'outbound-socket', verified: 'socket-auth', sender: 'unknown' },
  } satisfies Partial<EventDraft>;
  switch (update.type) {
    case 'message':
      return {
        ...common,
        kind: COMMAND.test(update.text) ? 'command' : 'message',
        messageId: update.id,
        text: update.text,
        ...(update.reply_to ? { replyTo: update.reply_to } : {}),
      };
    case 'edit':
      return { ...common, kind: 'edit', messageId: update.message_id, text: update.text };
    case 'button':
      return { ...common, kind: 'action', messageId: update.message_id, action: { id: update.action, ...(update.value !== undefined ? { value: update.value } : {}) } };
  }
}
