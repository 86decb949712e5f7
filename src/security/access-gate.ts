/**
 * The access gate of one connector: the runner asks it about every draft before the journal append.
 * It applies the policy (access-policy.ts), offers strangers a pairing code, checks button presses
 * against the users they were issued to, and rate-limits senders — then either hands back the draft
 * with `provenance.sender` set, or says why it was refused. Refusals are logged without content.
 */
import type { Logger } from 'pino';
import type { EventDraft, SenderTrust } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { describeError } from '../errors.js';
import { decideAccess, type AccessPolicy, type RefusalReason } from './access-policy.js';
import type { AccessStore } from './access-store.js';
import { SenderRateLimiter } from './rate-limit.js';

/** The text a stranger gets with their code. */
export function pairingText(code: string): string {
  return `Hi! To talk to this agent, ask its owner to run: switchboard pair approve ${code}\n(The code expires in 1 hour.)`;
}

/** The one notice a sender over the rate limit gets. */
export const RATE_NOTICE = "You're sending messages faster than the agent can take them; please wait a minute.";

/** Event kinds that earn a stranger a pairing code (a reaction or an edit alone does not). */
const OFFERS_PAIRING = new Set<EventDraft['kind']>(['message', 'command']);

const MAX_LOGGED_KINDS = 10_000;

/** The gate's answer: the draft to journal (trust set), or the reason it was refused. */
export type GateResult = { pass: true; draft: EventDraft } | { pass: false; reason: RefusalReason };

export interface AccessGateOptions {
  connector: string;
  policy: AccessPolicy;
  store: AccessStore;
  clock: Clock;
  log: Logger;
  /** Send a short text into a conversation through this connector (a pairing code, the rate notice). */
  reply: (conversation: string, text: string) => Promise<unknown>;
}

/** One connector's gate. `admit` is synchronous, so a batch of drafts keeps its order. */
export class AccessGate {
  readonly #o: AccessGateOptions;
  readonly #limiter: SenderRateLimiter;
  /** Refusals already logged at info (bounded: cleared past MAX_LOGGED_KINDS). */
  readonly #logged = new Set<string>();

  constructor(options: AccessGateOptions) {
    this.#o = options;
    this.#limiter = new SenderRateLimiter(options.policy.ratePerMinute, options.clock);
  }

  /** Decide on one draft. Throws only when access.db cannot be read (then the event is not acknowledged). */
  admit(draft: EventDraft): GateResult {
    const { policy, store, connector } = this.#o;
    const sender = draft.sender.id;
    const paired = !policy.owners.has(sender) && !policy.allowed.has(sender) && store.pairing.isPaired(connector, sender);
    // A thread inside a DM is judged as that DM (threads elsewhere follow their parent group).
    const verdict = decideAccess(policy, { sender: draft.sender, conversation: store.dms.classify(connector, draft.conversation) }, paired);
    // Only DMs the policy admits are kept in access.db; a stranger's refused DM is remembered in memory.
    if (draft.conversation.kind === 'dm') store.dms.remember(connector, draft.conversation.id, verdict.pass);
    if (!verdict.pass) {
      if (verdict.offerPairing && OFFERS_PAIRING.has(draft.kind)) this.#offerPairing(draft);
      else this.#refused(draft, verdict.reason, verdict.trust);
      return { pass: false, reason: verdict.reason };
    }
    const press = store.intents.check(draft);
    if (!press.pass) {
      this.#refused(draft, press.reason, verdict.trust);
      return { pass: false, reason: press.reason };
    }
    if (verdict.trust !== 'owner') {
      const rate = this.#limiter.take(sender);
      if (rate !== 'pass') {
        if (rate === 'notice') this.#send(draft.conversation.id, RATE_NOTICE, 'rate-limit notice');
        this.#refused(draft, 'rate-limited', verdict.trust, rate === 'silent');
        return { pass: false, reason: 'rate-limited' };
      }
    }
    return { pass: true, draft: { ...draft, provenance: { ...draft.provenance, sender: verdict.trust } } };
  }

  #offerPairing(draft: EventDraft): void {
    const request = this.#o.store.pairing.request(this.#o.connector, { id: draft.sender.id, ...nameOf(draft.sender) }, draft.conversation.id);
    if (request.status === 'issued') this.#send(draft.conversation.id, pairingText(request.code), 'pairing code');
    const what = { issued: 'a pairing code was sent (switchboard pair list)', pending: 'a pairing code is already pending; no reply', full: 'three pairing codes are pending on this connector; no new code, no reply' }[request.status];
    this.#refused(draft, 'dm-not-paired', 'unknown', request.status !== 'issued', `event from an unpaired sender refused: ${what}`);
  }

  /**
   * Log a refusal, without content. The first of a kind (reason, sender, conversation) is `info`; its
   * repeats, and `quiet` ones, are `debug` — a flood from an unlisted group must not flood the log.
   */
  #refused(draft: EventDraft, reason: RefusalReason, trust: SenderTrust, quiet = false, message = 'event refused by the access policy'): void {
    const fields = { reason, sender: draft.sender.id, trust, conversation: draft.conversation.id, conversationKind: draft.conversation.kind, kind: draft.kind };
    const key = `${reason}\u0000${draft.sender.id}\u0000${draft.conversation.id}`;
    const repeat = this.#logged.has(key);
    if (!repeat) {
      if (this.#logged.size >= MAX_LOGGED_KINDS) this.#logged.clear();
      this.#logged.add(key);
    }
    if (quiet || repeat) this.#o.log.debug(fields, message);
    else this.#o.log.info(fields, message);
  }

  /** Fire and forget: the gate never waits on the platform (the connector may be inside its own ingest). */
  #send(conversation: string, text: string, what: string): void {
    this.#o.reply(conversation, text).catch((err: unknown) => this.#o.log.warn({ conversation, err: describeError(err) }, `could not send the ${what}`));
  }
}

function nameOf(sender: EventDraft['sender']): { name?: string } {
  const name = sender.username ?? sender.name;
  return name ? { name } : {};
}
