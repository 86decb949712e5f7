/**
 * Listener benchmark: valid signed LINE-format webhooks per second and their latency through the full
 * hardened pipeline (connection limits, fail-ban, token bucket, route, checks, streamed body cap, strict
 * HMAC-SHA256 verification, replay cache, JSON guard) into the real SQLite journal, beside a bare
 * `node:http` server that only reads the body and does the same HMAC check, in the same run; then the
 * same pairing with a handler that answers without journaling, to separate the listener's cost from
 * the journal's.
 * Then: forged-signature rejections per second, and the valid-request p99 while a flood of forgeries
 * arrives from another source address (banned by the fail-ban, and with the fail-ban off so every
 * forgery costs an HMAC).
 *
 * The client runs in the same process over keep-alive `node:http` agents with a fixed number of
 * requests in flight (`--window W`, default 16). Bodies and signatures are prepared before the clock
 * starts. The endpoint's overall ceiling (100 req/s by default) is raised for the bench: it measures
 * what the pipeline can carry, not the configured shedding.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openJournal } from '../src/bus/journal.js';
import { systemClock } from '../src/clock.js';
import { startListener, type Listener, type WebhookHandler } from '../src/listener/index.js';
import { newEndpointId } from '../src/listener/endpoint-id.js';
import { silentLogger } from '../src/log/logger.js';
import { LINE_SIGNATURE_HEADER } from '../connectors/line/signature.js';
import { hmacBase64Verifier, signHmacBase64 } from '../src/security/hmac-base64.js';
import { alternateRounds, flag, roundRow, type Row } from './rounds.js';
import type { BenchContext } from './run.js';

const SECRET = 'bench-line-channel-secret';
const verify = hmacBase64Verifier({ secrets: { current: SECRET }, clock: systemClock });
const NO_CEILING = { rate: { perSecond: 1e9, burst: 1e9 } };

interface Prepared {
  body: Buffer;
  signature: string;
}

let batch = 0;

/** `n` LINE-format bodies with unique webhookEventIds, signed with `secret`. */
function prepare(n: number, secret = SECRET): Prepared[] {
  const tag = `${Date.now().toString(36)}${batch++}`;
  return Array.from({ length: n }, (_, i) => {
    const body = Buffer.from(
      JSON.stringify({
        destination: 'U0000000000000000000000000000000a',
        events: [
          {
            type: 'message',
            mode: 'active',
            timestamp: 1_700_000_000_000 + i,
            webhookEventId: `01H${tag}X${i}`,
            deliveryContext: { isRedelivery: false },
            source: { type: 'user', userId: `U${(i % 7).toString().repeat(32)}` },
            replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
            message: { id: String(444573844083572737n + BigInt(i)), type: 'text', quoteToken: 'q3Plxr4AgKd', text: 'please run the test suite and tell me what failed' },
          },
        ],
      }),
    );
    return { body, signature: signHmacBase64(secret, body) };
  });
}

/** POST each prepared request to `url`, `window` in flight, from `localAddress`; the round's figures. */
async function load(name: string, url: string, requests: Prepared[], window: number, localAddress = '127.0.0.1', expect = 200): Promise<Row> {
  const agent = new Agent({ keepAlive: true, maxSockets: window });
  const n = requests.length;
  const latencyMs = new Float64Array(n);
  let next = 0;
  const one = (p: Prepared): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, localAddress, headers: { 'content-type': 'application/json', 'content-length': p.body.length, [LINE_SIGNATURE_HEADER]: p.signature } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(p.body);
    });
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      const status = await one(requests[i]!);
      latencyMs[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (status !== expect) throw new Error(`${name}: expected ${expect}, got ${status}`);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return roundRow(name, latencyMs, window, seconds);
}

/** The baseline: node:http, read the body, the same strict HMAC check, 200 — nothing else. */
async function startBare(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = verify(Buffer.concat(chunks), req.headers[LINE_SIGNATURE_HEADER]).ok;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/x`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The listener with a LINE-style handler journaling each event into a fresh SQLite journal, acked by a subscriber (or, with `journaling` false, answering at once). */
async function startPipeline(limits: Parameters<typeof startListener>[0]['limits'], journaling = true): Promise<{ listener: Listener; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-listener-'));
  const journal = openJournal({ dir, retention: { maxAgeMs: Infinity, maxEvents: Infinity } });
  journal.subscribe('agent', (e) => void journal.ack('agent', e.id));
  const handler: WebhookHandler = {
    contentTypes: ['application/json'],
    verify(req) {
      const v = verify(req.rawBody, req.headers[LINE_SIGNATURE_HEADER]);
      return v.ok ? { ok: true } : v;
    },
    async handle(body) {
      if (!journaling) return { status: 200 };
      for (const e of (body as { events: LineEvent[] }).events) {
        await journal.append({
          dedupKey: `bench:${e.webhookEventId}`,
          connector: 'bench',
          platform: 'line',
          kind: 'message',
          conversation: { id: e.source.userId, kind: 'dm' },
          sender: { id: e.source.userId, isBot: false },
          messageId: e.message.id,
          text: e.message.text,
          provenance: { transport: 'webhook', verified: 'signature', sender: 'unknown' },
        });
      }
      return { status: 200 };
    },
  };
  const listener = await startListener({ connector: 'bench', host: '127.0.0.1', port: 0, endpointId: newEndpointId(), handler, log: silentLogger(), limits });
  return {
    listener,
    close: async () => {
      await listener.close();
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface LineEvent {
  webhookEventId: string;
  source: { userId: string };
  message: { id: string; text: string };
}

/** Valid requests at `window` from 127.0.0.3 while 16 forgers on 127.0.0.2 keep sending until it is done. */
async function duringFlood(name: string, failBanOn: boolean, n: number, window: number): Promise<Row & { forgeries: number }> {
  const p = await startPipeline({ ...NO_CEILING, ...(failBanOn ? {} : { failBan: { threshold: 1e9 } }) });
  try {
    const forged = prepare(1, 'not-the-secret')[0]!;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    let flooding = true;
    let forgeries = 0;
    const forger = async (): Promise<void> => {
      while (flooding) {
        await new Promise<void>((resolve) => {
          const req = request(p.listener.url, { method: 'POST', agent, localAddress: '127.0.0.2', headers: { 'content-type': 'application/json', 'content-length': forged.body.length, [LINE_SIGNATURE_HEADER]: forged.signature } }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('error', () => resolve());
          req.end(forged.body);
        });
        forgeries++;
      }
    };
    const flood = Array.from({ length: 16 }, forger);
    await new Promise((r) => setTimeout(r, 200)); // let the flood reach full speed (and, with the fail-ban, be banned)
    const row = await load(name, p.listener.url, prepare(n), window, '127.0.0.3');
    flooding = false;
    await Promise.all(flood);
    agent.destroy();
    return { ...row, forgeries };
  } finally {
    await p.close();
  }
}

/** Run the listener benchmark; `--n N` requests per round, `--window W`, `--rounds R`. */
export async function run(ctx: BenchContext): Promise<void> {
  const n = ctx.n ?? 10_000;
  const window = Number(flag(ctx.argv, '--window') ?? 16);
  const rounds = Number(flag(ctx.argv, '--rounds') ?? 5);

  const bare = await startBare();
  const throughput = await alternateRounds(
    { name: 'bare node:http + the same HMAC check (no journal)', drive: (name, k, w) => load(name, bare.url, prepare(k), w) },
    {
      name: 'hardened listener -> SQLite journal',
      drive: async (name, k, w) => {
        const p = await startPipeline(NO_CEILING);
        try {
          return await load(name, p.listener.url, prepare(k), w);
        } finally {
          await p.close();
        }
      },
    },
    n,
    window,
    rounds,
  );
  // The same pairing with a handler that answers without journaling: the listener's own cost.
  console.log('the listener alone (handler answers 200 without journaling):');
  const pipelineOnly = await alternateRounds(
    { name: 'bare node:http + the same HMAC check', drive: (name, k, w) => load(name, bare.url, prepare(k), w) },
    {
      name: 'hardened listener, no journal',
      drive: async (name, k, w) => {
        const p = await startPipeline(NO_CEILING, false);
        try {
          return await load(name, p.listener.url, prepare(k), w);
        } finally {
          await p.close();
        }
      },
    },
    n,
    window,
    Math.max(1, Math.ceil(rounds / 2)),
  );
  await bare.close();

  const p = await startPipeline({ ...NO_CEILING, failBan: { threshold: 1e9 } });
  const forged = prepare(1, 'not-the-secret')[0]!;
  const rejections = await load('forged signatures, fail-ban off (each HMAC-checked, 401)', p.listener.url, Array<Prepared>(n).fill(forged), window, '127.0.0.1', 401);
  await p.close();
  const calm = await (async () => {
    const q = await startPipeline(NO_CEILING);
    try {
      return await load('valid, window 4, no flood', q.listener.url, prepare(Math.min(n, 5_000)), 4, '127.0.0.3');
    } finally {
      await q.close();
    }
  })();
  const banned = await duringFlood('valid, window 4, during a 16-way forged flood (fail-ban on)', true, Math.min(n, 5_000), 4);
  const unbanned = await duringFlood('valid, window 4, during a 16-way forged flood (fail-ban off)', false, Math.min(n, 5_000), 4);

  console.table(
    [rejections, calm, banned, unbanned].map((r) => ({
      bench: r.name,
      requests: r.messages,
      'req/s': Math.round(r.messagesPerSec),
      'p50 ms': r.p50Ms.toFixed(2),
      'p99 ms': r.p99Ms.toFixed(2),
      ...('forgeries' in r ? { 'forgeries sent': r.forgeries } : {}),
    })),
  );

  const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const out = { bench: 'listener', at: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: loadavg()[0], throughput, pipelineOnly, rejections, flood: { calm, banned, unbanned } };
  writeFileSync(join(resultsDir, 'listener.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${join(resultsDir, 'listener.json')}`);
}
