/**
 * What the pipeline's stages share: one request in flight, and the shape of a stage — a named
 * function that either lets the request on (undefined) or answers it (a `Rejection`), cheapest first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookRequest } from './types.js';

/** One request going through the pipeline; stages fill in what they learn. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The TCP peer (normalized). */
  peerIp: string;
  /** The client IP (the forwarded one when the peer is a trusted proxy). */
  clientIp: string;
  correlationId: string;
  receivedAt: number;
  /** Set by `route`: the path names this listener's endpoint. */
  known?: boolean;
  /** Set by `bodyLimit`. */
  body?: Buffer;
  /** Set by `verifySignature`: what the connector receives. */
  webhook?: WebhookRequest;
  /** Set by `verifySignature` when the handler names the delivery. */
  deliveryId?: string;
  /** Set by `replayGuard`: this request holds `deliveryId` until the pipeline settles it. */
  replayHeld?: boolean;
  /** Set by `jsonGuard`. */
  json?: unknown;
}

/** A stage's answer that ends the request. */
export interface Rejection {
  status: number;
  /** The counter and log reason; never sent to the client. */
  reason: string;
  headers?: Record<string, string>;
  /** Close the socket after the answer. */
  close?: boolean;
  /** Counts toward the source IP's fail-ban. */
  failure?: boolean;
  /** A response body other than the generic one (JSON). */
  body?: string;
}

/** A pipeline stage. */
export type Stage = (ex: Exchange) => Rejection | undefined | Promise<Rejection | undefined>;

/** A stage that decides without waiting. */
export type SyncStage = (ex: Exchange) => Rejection | undefined;
