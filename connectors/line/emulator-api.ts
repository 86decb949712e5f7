/**
 * The LINE emulator's Messaging API (REST) side: reply, push, loading animation and bot info, with
 * the platform's rules — a Bearer token on every call, reply tokens single-use and expiring, the
 * `X-Line-Retry-Key` accepted once (a repeat is 409 and delivers nothing), at most 5 messages of at
 * most 5000 characters per request — and failures a test can ask for.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One message the bot got delivered (a reply or a push), as the user would see it. */
export interface SentRecord {
  api: 'reply' | 'push';
  /** The user, group or room id the messages went to. */
  to: string;
  messages: Record<string, unknown>[];
  /** The ids LINE assigned, one per message. */
  ids: string[];
  retryKey?: string;
  at: number;
}

/** One request the API side received, including refused ones. */
export interface ApiCall {
  method: string;
  path: string;
  status: number;
  retryKey?: string;
  /** When it was answered (the emulator's clock). */
  at: number;
}

/** How `failNextCalls` answers. `delivered`: the push/reply is carried out, then answered with the error anyway (LINE's "5xx but maybe sent"). */
export interface FailureSpec {
  status: 429 | 500 | 502 | 503;
  retryAfterSeconds?: number;
  delivered?: boolean;
  paths?: string[];
}

/** Reply tokens live about a minute on LINE. */
export const REPLY_TOKEN_TTL_MS = 60_000;
const MAX_MESSAGES = 5;
const MAX_TEXT = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The Messaging API's state and request handler; `emulator.ts` wires it to a server. */
export class MessagingApiState {
  readonly sent: SentRecord[] = [];
  readonly calls: ApiCall[] = [];
  readonly loading: { chatId: string; seconds: number }[] = [];
  readonly botUserId = `U${randomBytes(16).toString('hex')}`;
  readonly #token: Buffer;
  readonly #now: () => number;
  readonly #replyTokens = new Map<string, { to: string; issuedAt: number; used: boolean }>();
  readonly #retryKeys = new Map<string, { requestId: string; ids: string[] }>();
  readonly #listeners: ((r: SentRecord) => void)[] = [];
  #failure: (FailureSpec & { left: number }) | undefined;
  #nextId = 600_000_000_000_000_000n;

  constructor(accessToken: string, now: () => number) {
    this.#token = Buffer.from(`Bearer ${accessToken}`);
    this.#now = now;
  }

  /** A fresh reply token for an event delivered to `to`. */
  issueReplyToken(to: string): string {
    const token = randomBytes(16).toString('hex');
    this.#replyTokens.set(token, { to, issuedAt: this.#now(), used: false });
    return token;
  }

  /** Answer the next `n` calls (of `paths`, default any) with `status`. */
  failNextCalls(n: number, spec: FailureSpec): void {
    this.#failure = { ...spec, left: n };
  }

  onSent(listener: (r: SentRecord) => void): void {
    this.#listeners.push(listener);
  }

  /** Serve one request; never throws. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    const method = req.method ?? 'GET';
    const header = req.headers['x-line-retry-key'];
    const retryKey = typeof header === 'string' ? header : undefined;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ method, path, status, at: this.#now(), ...(retryKey !== undefined ? { retryKey } : {}) });
      send(res, status, body, headers);
    };
    const raw = await readBody(req);
    if (!this.#authorized(req.headers.authorization)) {
      return answer(401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' });
    }
    const failure = this.#takeFailure(path);
    try {
      const body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      if (failure && !failure.delivered) throw failureError(failure);
      const result = this.#route(method, path, body, retryKey);
      if (failure) throw failureError(failure);
      answer(result.status ?? 200, result.body, result.headers);
    } catch (err) {
      if (err instanceof ApiError) {
        const headers: Record<string, string> = {};
        if (typeof err.extra.retryAfter === 'number') headers['retry-after'] = String(err.extra.retryAfter);
        if (typeof err.extra.acceptedRequestId === 'string') headers['x-line-accepted-request-id'] = err.extra.acceptedRequestId;
        const { retryAfter: _r, acceptedRequestId: _a, ...rest } = err.extra;
        return answer(err.status, { message: err.message, ...rest }, headers);
      }
      answer(400, { message: 'The request body has 1 error(s)', details: [{ message: 'May not be empty JSON' }] });
    }
  }

  #route(method: string, path: string, body: Record<string, unknown>, retryKey: string | undefined): { status?: number; body: unknown; headers?: Record<string, string> } {
    if (method === 'GET' && path === '/v2/bot/info') {
      return { body: { userId: this.botUserId, basicId: '@000emul', displayName: 'Switchboard emulator', chatMode: 'bot', markAsReadMode: 'manual' } };
    }
    if (method !== 'POST') throw new ApiError(404, 'Not found');
    if (path === '/v2/bot/message/reply') {
      if (retryKey !== undefined) throw new ApiError(400, 'X-Line-Retry-Key is not supported by this API');
      const messages = checkMessages(body.messages);
      const token = typeof body.replyToken === 'string' ? this.#replyTokens.get(body.replyToken) : undefined;
      if (!token || token.used || this.#now() - token.issuedAt > REPLY_TOKEN_TTL_MS) throw new ApiError(400, 'Invalid reply token');
      token.used = true;
      return { body: { sentMessages: this.#deliver('reply', token.to, messages) } };
    }
    if (path === '/v2/bot/message/push') {
      if (retryKey !== undefined && !UUID.test(retryKey)) throw new ApiError(400, 'The value of the X-Line-Retry-Key header is invalid');
      const seen = retryKey !== undefined ? this.#retryKeys.get(retryKey) : undefined;
      if (seen) {
        throw new ApiError(409, 'The retry key is already accepted', { acceptedRequestId: seen.requestId, sentMessages: seen.ids.map((id) => ({ id, quoteToken: `q${id}` })) });
      }
      if (typeof body.to !== 'string' || body.to === '') throw new ApiError(400, 'The request body has 1 error(s)', { details: [{ message: 'Must not be empty', property: 'to' }] });
      const sentMessages = this.#deliver('push', body.to, checkMessages(body.messages), retryKey);
      if (retryKey !== undefined) this.#retryKeys.set(retryKey, { requestId: randomUUID(), ids: sentMessages.map((m) => m.id) });
      return { body: { sentMessages } };
    }
    if (path === '/v2/bot/chat/loading/start') {
      if (typeof body.chatId !== 'string' || !body.chatId.startsWith('U')) throw new ApiError(400, 'The request body has 1 error(s)', { details: [{ message: 'Invalid chatId', property: 'chatId' }] });
      this.loading.push({ chatId: body.chatId, seconds: typeof body.loadingSeconds === 'number' ? body.loadingSeconds : 20 });
      return { status: 202, body: {} };
    }
    throw new ApiError(404, 'Not found');
  }

  #deliver(api: SentRecord['api'], to: string, messages: Record<string, unknown>[], retryKey?: string): { id: string; quoteToken: string }[] {
    const ids = messages.map(() => String(this.#nextId++));
    const record: SentRecord = { api, to, messages, ids, at: this.#now(), ...(retryKey !== undefined ? { retryKey } : {}) };
    this.sent.push(record);
    for (const l of this.#listeners) l(record);
    return ids.map((id) => ({ id, quoteToken: `q${id}` }));
  }

  #authorized(header: string | undefined): boolean {
    const given = Buffer.from(header ?? '');
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }

  #takeFailure(path: string): FailureSpec | undefined {
    const f = this.#failure;
    if (!f || f.left <= 0 || (f.paths && !f.paths.includes(path))) return undefined;
    f.left--;
    return f;
  }
}

function failureError(f: FailureSpec): ApiError {
  if (f.status === 429) return new ApiError(429, 'The API rate limit has been exceeded. Try again later.', f.retryAfterSeconds !== undefined ? { retryAfter: f.retryAfterSeconds } : {});
  return new ApiError(f.status, 'Internal server error');
}

function checkMessages(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) throw new ApiError(400, 'The request body has 1 error(s)', { details: [{ message: 'Must not be empty', property: 'messages' }] });
  if (value.length > MAX_MESSAGES) throw new ApiError(400, 'The request body has 1 error(s)', { details: [{ message: `Size must be between 1 and ${MAX_MESSAGES}`, property: 'messages' }] });
  for (const [i, m] of (value as Record<string, unknown>[]).entries()) {
    if (m.type === 'text' && (typeof m.text !== 'string' || m.text.length === 0 || m.text.length > MAX_TEXT)) {
      throw new ApiError(400, 'The request body has 1 error(s)', { details: [{ message: `Length must be between 1 and ${MAX_TEXT}`, property: `messages[${i}].text` }] });
    }
  }
  return value as Record<string, unknown>[];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}
