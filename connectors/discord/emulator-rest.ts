/**
 * The emulated Discord REST API (v10): the routes a bot uses to connect and to talk — gateway info,
 * `users/@me`, channels, messages (create/edit), reactions, typing, interaction callbacks — with bot
 * token auth, Discord's rate-limit headers, and injectable 429 / 5xx answers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayHub } from './emulator-gateway.js';
import type { Json, World } from './emulator-world.js';

/** Something the bot did through REST, in order. */
export interface SentCall {
  kind: 'message' | 'edit' | 'reaction' | 'typing' | 'interaction';
  channel_id?: string;
  message_id?: string;
  content?: string;
  /** The message this one replies to (`message_reference.message_id`). */
  reply_to?: string;
  components?: unknown[];
  emoji?: string;
  interaction_id?: string;
  /** Interaction callback type (6 = deferred update). */
  callback_type?: number;
}

/** The emulator state the REST routes read and write. */
export interface RestState {
  token: string;
  world: World;
  hub: GatewayHub;
  gatewayUrl: string;
  sent: SentCall[];
  /** Every REST request answered, with its status (429s and 5xx included). */
  calls: { method: string; path: string; status: number }[];
  /** Interactions the emulator issued: id → token and whether it was answered. */
  interactions: Map<string, { token: string; answered: boolean }>;
  failures: { left: number; status: 429 | 500 | 502 | 503; retryAfter: number } | undefined;
  onSent(call: SentCall): void;
}

const MAX_BODY = 1 << 20;
const CONTENT_LIMIT = 2000;

/** The request handler for `/api/v10/...`. */
export function restHandler(state: RestState): (req: IncomingMessage, res: ServerResponse) => void {
  const expected = Buffer.from(`Bot ${state.token}`);
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0]!;
      const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        state.calls.push({ method, path, status });
        res.writeHead(status, { ...rateHeaders(path), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      let body: Json = {};
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
        } catch {
          return reply(400, { message: '400: Bad Request', code: 50109 });
        }
      }
      const isCallback = /^\/api\/v10\/interactions\//.test(path);
      const auth = Buffer.from(req.headers.authorization ?? '');
      if (!isCallback && !(auth.length === expected.length && timingSafeEqual(auth, expected))) {
        return reply(401, { message: '401: Unauthorized', code: 0 });
      }
      if (method !== 'GET' && state.failures && state.failures.left > 0) {
        const f = state.failures;
        f.left--;
        if (f.status === 429) {
          return reply(429, { message: 'You are being rate limited.', retry_after: f.retryAfter, global: false }, {
            'retry-after': String(f.retryAfter), 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(f.retryAfter), 'x-ratelimit-scope': 'user',
          });
        }
        return reply(f.status, { message: `${f.status}: Emulated server error`, code: 0 });
      }
      route(state, method, path, body, reply);
    });
  };
}

type Reply = (status: number, body?: unknown, headers?: Record<string, string>) => void;

function route(state: RestState, method: string, path: string, body: Json, reply: Reply): void {
  const { world } = state;
  const p = path.replace(/^\/api\/v10/, '').split('/').slice(1).map(decodeURIComponent);
  // Ids become ':' so each route is one switch case: channels/:/messages/:, interactions/:/:/callback.
  const fixed = new Set(['gateway', 'bot', 'users', '@me', 'channels', 'messages', 'reactions', 'typing', 'interactions', 'callback']);
  const key = `${method} ${p.map((seg, i) => (i > 0 && !fixed.has(seg) ? ':' : seg)).join('/')}`;
  const record = (call: SentCall) => {
    state.sent.push(call);
    state.onSent(call);
  };
  switch (key) {
    case 'GET gateway/bot':
      return reply(200, { url: state.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } });
    case 'GET gateway':
      return reply(200, { url: state.gatewayUrl });
    case 'GET users/@me':
      return reply(200, { ...world.userPayload(world.bot), verified: true, mfa_enabled: false, flags: 0 });
    case 'GET channels/:': {
      const channel = world.channels.get(p[1]!);
      return channel ? reply(200, world.channelPayload(channel)) : reply(404, { message: 'Unknown Channel', code: 10003 });
    }
    case 'POST channels/:/messages': {
      const channel = world.channels.get(p[1]!);
      if (!channel) return reply(404, { message: 'Unknown Channel', code: 10003 });
      const invalid = invalidMessage(body);
      if (invalid) return reply(400, { message: 'Invalid Form Body', code: 50035, errors: invalid });
      const ref = (body.message_reference as { message_id?: string } | undefined)?.message_id;
      const components = Array.isArray(body.components) ? body.components : undefined;
      const message = world.messagePayload(channel, world.bot, String(body.content ?? ''), { ...(ref ? { reply_to: ref } : {}), ...(components ? { components } : {}) });
      record({ kind: 'message', channel_id: channel.id, message_id: String(message.id), content: String(message.content), ...(ref ? { reply_to: ref } : {}), ...(components ? { components } : {}) });
      state.hub.dispatch('MESSAGE_CREATE', world.dispatchForm(message));
      return reply(200, message);
    }
    case 'PATCH channels/:/messages/:': {
      const message = world.messages.get(p[3]!);
      if (!message || message.channel_id !== p[1]) return reply(404, { message: 'Unknown Message', code: 10008 });
      if ((message.author as { id: string }).id !== world.bot.id) return reply(403, { message: 'Cannot edit a message authored by another user', code: 50005 });
      const invalid = invalidMessage(body);
      if (invalid) return reply(400, { message: 'Invalid Form Body', code: 50035, errors: invalid });
      if (typeof body.content === 'string') message.content = body.content;
      if (Array.isArray(body.components)) message.components = body.components;
      message.edited_timestamp = new Date().toISOString();
      record({ kind: 'edit', channel_id: p[1]!, message_id: p[3]!, content: String(message.content) });
      state.hub.dispatch('MESSAGE_UPDATE', world.dispatchForm(message));
      return reply(200, message);
    }
    case 'PUT channels/:/messages/:/reactions/:/@me': {
      if (!world.messages.has(p[3]!)) return reply(404, { message: 'Unknown Message', code: 10008 });
      record({ kind: 'reaction', channel_id: p[1]!, message_id: p[3]!, emoji: p[5]! });
      return reply(204);
    }
    case 'POST channels/:/typing':
      if (!world.channels.has(p[1]!)) return reply(404, { message: 'Unknown Channel', code: 10003 });
      record({ kind: 'typing', channel_id: p[1]! });
      return reply(204);
    case 'POST interactions/:/:/callback': {
      const known = state.interactions.get(p[1]!);
      if (!known || known.token !== p[2]) return reply(404, { message: 'Unknown interaction', code: 10062 });
      if (known.answered) return reply(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
      known.answered = true;
      record({ kind: 'interaction', interaction_id: p[1]!, callback_type: Number(body.type) });
      return reply(204);
    }
    default:
      return reply(404, { message: '404: Not Found', code: 0 });
  }
}

/** Discord's validation of a message body: content ≤ 2000, ≤ 5 action rows of ≤ 5 buttons, custom_id ≤ 100. */
function invalidMessage(body: Json): string | undefined {
  if (typeof body.content === 'string' && body.content.length > CONTENT_LIMIT) return `content: Must be ${CONTENT_LIMIT} or fewer in length.`;
  const rows = body.components;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows) || rows.length > 5) return 'components: Must be 5 or fewer in length.';
  for (const row of rows as { components?: { custom_id?: string }[] }[]) {
    if (!Array.isArray(row.components) || row.components.length > 5) return 'components.components: Must be 5 or fewer in length.';
    for (const button of row.components) {
      if (typeof button.custom_id !== 'string' || button.custom_id.length > 100) return 'custom_id: Must be 100 or fewer in length.';
    }
  }
  return undefined;
}

function rateHeaders(path: string): Record<string, string> {
  return { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '49', 'x-ratelimit-reset-after': '1', 'x-ratelimit-bucket': bucketOf(path) };
}

function bucketOf(path: string): string {
  return Buffer.from(path.replace(/\d{5,}/g, ':id')).toString('base64url').slice(0, 16);
}
