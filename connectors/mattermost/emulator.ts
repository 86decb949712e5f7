/**
 * A local Mattermost server on 127.0.0.1 (port 0): the REST calls the connector makes (users/me,
 * teams and channels, posts create/get/patch, posts since, reactions; 401 on a bad token, 429 with
 * rate-limit headers and 5xx on demand) and the WebSocket (emulator-socket.ts). Control methods let
 * tests and `switchboard sandbox` post as a person, edit, delete, react, drop the socket, click a
 * button (POSTing its integration URL as the server does) and read what the bot posted.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { SandboxPlatform } from '../../src/registry-types.js';
import { SocketHub, type TypingRecord } from './emulator-socket.js';
import { World, newId, type WorldChannel, type WorldUser } from './emulator-world.js';
import type { MmPost } from './normalize.js';

/** Which channel a control call posts into. */
export type ChannelName = 'dm' | 'town' | 'private' | 'group';

export interface MattermostEmulator {
  /** What to put in the connector's `url`. */
  readonly url: string;
  readonly world: World;
  /** Post as a person (alice unless `user`); returns the post. */
  injectPost(text: string, options?: { channel?: ChannelName; rootId?: string; user?: WorldUser }): MmPost;
  editPost(id: string, text: string): MmPost;
  deletePost(id: string, by?: WorldUser): void;
  react(postId: string, emoji: string, user?: WorldUser): void;
  /** Cut the WebSocket(s) and HTTP connections; `forget` also ends the server-side session. */
  dropConnections(options?: { forget?: boolean }): number;
  /** Press button `actionId` of post `postId` as `user`: POSTs the action's integration URL with its context. */
  clickButton(postId: string, actionId: string, user?: WorldUser): Promise<{ status: number; body: unknown }>;
  /** Posts the bot made, in order (current version). */
  botPosts(): MmPost[];
  /** Reactions the bot added. */
  botReactions(): { post_id: string; emoji_name: string }[];
  readonly typing: readonly TypingRecord[];
  /** Answer the next `n` REST calls with `status` (429 carries X-RateLimit-* and Retry-After). */
  failNext(n: number, status: 429 | 500 | 503, options?: { retryAfterSeconds?: number }): void;
  /** From now on refuse the token (REST 401, WebSocket closed), as after it was revoked. */
  revokeToken(): void;
  /** Answer the next `n` WebSocket upgrades with 503 (a server restarting behind its proxy). */
  refuseSockets(n: number): void;
  /** REST requests received, as `METHOD /path`. */
  readonly requests: readonly string[];
  /** `posted` events the bot was sent and has not acknowledged (`posted_notify_ack`). */
  unacked(): number;
  socketStats(): ReturnType<SocketHub['stats']>;
  onBotPost(listener: (post: MmPost) => void): void;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  token: string;
  port?: number;
  /** Events kept per connection for resumption. Default 512. */
  bufferSize?: number;
}

/** A made-up bot token of Mattermost's shape (26 lowercase letters and digits). */
export function fakeMattermostToken(): string {
  return newId();
}

class HttpError extends Error {
  constructor(readonly status: number, readonly id: string, message: string) {
    super(message);
  }
}

/** Start the emulator on 127.0.0.1. */
export async function startMattermostEmulator(options: EmulatorOptions): Promise<MattermostEmulator> {
  const world = new World();
  const token = Buffer.from(options.token);
  let revoked = false;
  const checkToken = (given: string) => {
    const b = Buffer.from(given);
    return !revoked && b.length === token.length && timingSafeEqual(b, token);
  };
  const hub = new SocketHub({ checkToken, ...(options.bufferSize ? { bufferSize: options.bufferSize } : {}) });
  const requests: string[] = [];
  const botPostIds: string[] = [];
  const botReactions: { post_id: string; emoji_name: string }[] = [];
  const listeners: ((p: MmPost) => void)[] = [];
  const sockets = new Set<Socket>();
  let failure: { left: number; status: 429 | 500 | 503; retryAfter: number } | undefined;

  const publish = (created: { post: MmPost; event: Parameters<SocketHub['broadcast']>[0] }) => {
    hub.broadcast(created.event, created.post.user_id === world.bot.id ? undefined : created.post.id);
    return created.post;
  };

  async function rest(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): Promise<unknown> {
    const auth = /^(?:bearer|token) (\S+)$/i.exec(req.headers.authorization ?? ''); // the server takes either scheme, any case
    if (!auth || !checkToken(auth[1]!)) throw new HttpError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.');
    if (failure && failure.left > 0) {
      failure.left--;
      if (failure.status === 429) {
        res.setHeader('X-Ratelimit-Limit', '10');
        res.setHeader('X-Ratelimit-Remaining', '0');
        res.setHeader('X-Ratelimit-Reset', String(failure.retryAfter));
        res.setHeader('Retry-After', String(failure.retryAfter));
        // As the real server's rate limiter: plain text, not JSON.
        res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8' }).end('limit exceeded\n');
        return undefined;
      }
      throw new HttpError(failure.status, 'app.emulator.unavailable', 'The server is temporarily unavailable.');
    }
    const m = (re: RegExp) => re.exec(path);
    const b = (body ?? {}) as Record<string, unknown>;
    let hit: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/api/v4/users/me') return { ...world.bot, roles: 'system_user', delete_at: 0 };
    if (req.method === 'GET' && path === '/api/v4/users/me/teams') return [world.team];
    if (req.method === 'GET' && path === '/api/v4/users/me/channels') return Object.values(world.channels);
    if (req.method === 'GET' && (hit = m(/^\/api\/v4\/channels\/([a-z0-9]{26})$/))) return channelOr404(world.channel(hit[1]!));
    if (req.method === 'GET' && (hit = m(/^\/api\/v4\/channels\/([a-z0-9]{26})\/posts$/))) {
      channelOr404(world.channel(hit[1]!));
      const since = Number(new URL(req.url ?? '', 'http://x').searchParams.get('since') ?? '0');
      const posts = world.postsSince(hit[1]!, since);
      return { order: posts.map((p) => p.id).reverse(), posts: Object.fromEntries(posts.map((p) => [p.id, p])), next_post_id: '', prev_post_id: '' };
    }
    if (req.method === 'POST' && path === '/api/v4/posts') {
      if (typeof b.channel_id !== 'string' || typeof b.message !== 'string') throw new HttpError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing post in request body.');
      if (!world.channel(b.channel_id)) throw new HttpError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      if (b.message.length > 16383) throw new HttpError(400, 'model.post.is_valid.msg.app_error', 'Invalid message.');
      const post = publish(world.createPost({ userId: world.bot.id, channelId: b.channel_id, message: b.message, ...(typeof b.root_id === 'string' && b.root_id ? { rootId: b.root_id } : {}), ...(isRecord(b.props) ? { props: b.props } : {}) }));
      botPostIds.push(post.id);
      res.statusCode = 201;
      for (const l of listeners) l(post);
      return post;
    }
    if (req.method === 'GET' && (hit = m(/^\/api\/v4\/posts\/([a-z0-9]{26})$/))) return postOr404(world.posts.get(hit[1]!));
    if (req.method === 'PUT' && (hit = m(/^\/api\/v4\/posts\/([a-z0-9]{26})\/patch$/))) {
      const old = postOr404(world.posts.get(hit[1]!));
      if (old.user_id !== world.bot.id) throw new HttpError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      const edited = world.patchPost(old.id, { ...(typeof b.message === 'string' ? { message: b.message } : {}), ...(isRecord(b.props) ? { props: b.props } : {}) })!;
      hub.broadcast(edited.event);
      for (const l of listeners) l(edited.post);
      return edited.post;
    }
    if (req.method === 'POST' && path === '/api/v4/reactions') {
      if (b.user_id !== world.bot.id || typeof b.post_id !== 'string' || typeof b.emoji_name !== 'string') throw new HttpError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing reaction in request body.');
      const added = world.addReaction(world.bot.id, b.post_id, b.emoji_name);
      if (!added) throw new HttpError(404, 'app.post.get.app_error', 'Unable to get the post.');
      hub.broadcast(added.event);
      botReactions.push({ post_id: b.post_id, emoji_name: b.emoji_name });
      res.statusCode = 201;
      return added.reaction;
    }
    throw new HttpError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        return send(res, 400, { id: 'api.context.invalid_body_param.app_error', message: 'Invalid JSON.', status_code: 400 });
      }
      rest(req, res, path, body).then(
        (data) => {
          if (data !== undefined) send(res, res.statusCode === 201 ? 201 : 200, data);
        },
        (err: unknown) => {
          const e = err instanceof HttpError ? err : new HttpError(500, 'app.emulator.error', String(err));
          send(res, e.status, { id: e.id, message: e.message, detailed_error: '', request_id: newId(), status_code: e.status });
        },
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });
  let refuseSockets = 0;
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v4/websocket') return socket.destroy();
    if (refuseSockets > 0) {
      refuseSockets--;
      return socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, url));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const channelOf = (name: ChannelName | undefined): WorldChannel => world.channels[name ?? 'dm'];

  return {
    url,
    world,
    typing: hub.typing,
    requests,
    injectPost: (text, o = {}) => publish(world.createPost({ userId: (o.user ?? world.alice).id, channelId: channelOf(o.channel).id, message: text, ...(o.rootId ? { rootId: o.rootId } : {}) })),
    editPost: (id, text) => {
      const edited = world.patchPost(id, { message: text });
      if (!edited) throw new Error(`no post ${id}`);
      hub.broadcast(edited.event);
      return edited.post;
    },
    deletePost: (id, by = world.alice) => {
      const event = world.deletePost(id, by.id);
      if (!event) throw new Error(`no post ${id}`);
      hub.broadcast(event);
    },
    react: (postId, emoji, user = world.alice) => {
      const added = world.addReaction(user.id, postId, emoji);
      if (!added) throw new Error(`no post ${postId}`);
      hub.broadcast(added.event);
    },
    dropConnections: (o = {}) => {
      const n = hub.drop(o);
      for (const s of sockets) s.destroy();
      return n;
    },
    clickButton: (postId, actionId, user = world.alice) => clickButton(world, postId, actionId, user),
    botPosts: () => botPostIds.map((id) => world.posts.get(id)!),
    botReactions: () => [...botReactions],
    revokeToken: () => {
      revoked = true;
    },
    refuseSockets: (n) => {
      refuseSockets = n;
    },
    failNext: (n, status, o = {}) => {
      failure = { left: n, status, retryAfter: o.retryAfterSeconds ?? 1 };
    },
    unacked: () => hub.unacked(),
    socketStats: () => hub.stats(),
    onBotPost: (l) => listeners.push(l),
    close: async () => {
      hub.close();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What Mattermost POSTs to an action's integration URL when a person clicks it. */
async function clickButton(world: World, postId: string, actionId: string, user: WorldUser): Promise<{ status: number; body: unknown }> {
  const post = world.posts.get(postId);
  const attachments = (post?.props?.attachments ?? []) as { actions?: { id: string; integration?: { url: string; context?: Record<string, unknown> } }[] }[];
  const action = attachments.flatMap((a) => a.actions ?? []).find((a) => a.id === actionId);
  if (!post || !action?.integration) throw new Error(`post ${postId} has no button ${actionId}`);
  const channel = world.channel(post.channel_id)!;
  const res = await fetch(action.integration.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      user_id: user.id, user_name: user.username, channel_id: channel.id, channel_name: channel.name, team_id: channel.team_id,
      team_domain: channel.team_id ? world.team.name : '', post_id: post.id, trigger_id: randomBytes(12).toString('hex'), type: '', data_source: '',
      context: action.integration.context ?? {},
    }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the raw text is the answer
  }
  return { status: res.status, body };
}

function send(res: ServerResponse, status: number, data: unknown): void {
  // Exactly `application/json`: Client4 parses JSON only for that Content-Type.
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(data));
}

function channelOr404(c: WorldChannel | undefined): WorldChannel {
  if (!c) throw new HttpError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.');
  return c;
}

function postOr404(p: MmPost | undefined): MmPost {
  if (!p || (p.delete_at ?? 0) > 0) throw new HttpError(404, 'app.post.get.app_error', 'Unable to get the post.');
  return p;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The emulator as `switchboard sandbox` runs it: a DM from alice per typed line (no button clicks by typing). */
export async function startSandbox(): Promise<SandboxPlatform> {
  const token = fakeMattermostToken();
  const emulator = await startMattermostEmulator({ token });
  return {
    block: { platform: 'mattermost', url: emulator.url, token: { env: 'SANDBOX_MATTERMOST_TOKEN' } },
    env: { SANDBOX_MATTERMOST_TOKEN: token },
    endpoints: { url: emulator.url, websocket: `${emulator.url.replace(/^http/, 'ws')}/api/v4/websocket` },
    injectText: (text) => emulator.injectPost(text, { channel: 'dm' }).channel_id,
    onBotMessage: (listener) =>
      emulator.onBotPost((p) => listener({ conversation: p.root_id ? `${p.channel_id}:${p.root_id}` : p.channel_id, text: p.message })),
    close: () => emulator.close(),
  };
}
