/**
 * The access policy of one connector, as pure decisions: given who sent an event and where, may it
 * reach the agent, and with what trust? No I/O here: whether the sender is paired is a fact the caller
 * looks up (access-gate.ts), so every rule is unit-tested on plain values.
 *
 * The rules (docs/security.md):
 * - owners always pass (DMs, any group, any mode) and are not rate-limited;
 * - DMs: `open` lets anyone in; `pairing` and `allowlist` let in allowed and paired users, and
 *   `pairing` offers a stranger a code; `disabled` lets in no one but owners;
 * - groups, channels and threads: only listed conversation ids (a thread counts when its parent is
 *   listed; `*` lists every group); inside an allowed group anyone may speak, with trust `unknown`
 *   unless they are an owner, allowed or paired.
 */
import type { EventDraft, SenderTrust } from '../bus/types.js';
import { ACCESS_DEFAULTS, type AccessConfig } from '../config/fields.js';

export type DmMode = AccessConfig['dm'];

/** A connector's `access` block, ready for lookups. */
export interface AccessPolicy {
  readonly dm: DmMode;
  /** Allowed group/channel ids; `*` = every group. */
  readonly groups: ReadonlySet<string>;
  readonly owners: ReadonlySet<string>;
  readonly allowed: ReadonlySet<string>;
  /** Messages per minute per sender; 0 = unlimited. */
  readonly ratePerMinute: number;
}

/** Why an event was kept from the agent; each is a counter in `status` (`rejectedBy`). */
export type RefusalReason =
  | 'dm-not-paired'
  | 'dm-not-allowed'
  | 'dm-disabled'
  | 'group-not-allowed'
  | 'rate-limited'
  | 'button-not-issued-to-sender'
  | 'button-expired';

/** The outcome for one event. `offerPairing`: a stranger's DM under `dm: pairing`. */
export type AccessVerdict =
  | { pass: true; trust: SenderTrust }
  | { pass: false; reason: RefusalReason; trust: SenderTrust; offerPairing?: true };

/** Build the policy from a connector block's `access` (absent or partial blocks get the defaults). */
export function accessPolicy(access: Partial<AccessConfig> | undefined): AccessPolicy {
  const a = { ...ACCESS_DEFAULTS, ...access };
  return {
    dm: a.dm,
    groups: new Set(a.groups),
    owners: new Set(a.owners),
    allowed: new Set(a.allowed),
    ratePerMinute: a.rate_limit,
  };
}

/** How far the policy trusts this sender, before looking at the conversation. */
export function senderTrust(policy: AccessPolicy, senderId: string, paired: boolean): SenderTrust {
  if (policy.owners.has(senderId)) return 'owner';
  if (policy.allowed.has(senderId)) return 'allowed';
  return paired ? 'paired' : 'unknown';
}

/** True when `conversation` is an allowed group, or a thread whose parent is one. */
export function groupAllowed(policy: AccessPolicy, conversation: EventDraft['conversation']): boolean {
  if (policy.groups.has('*') || policy.groups.has(conversation.id)) return true;
  return conversation.parentId !== undefined && policy.groups.has(conversation.parentId);
}

/** Decide whether `draft` may reach the agent; `paired` = the sender holds an approved pairing. */
export function decideAccess(policy: AccessPolicy, draft: Pick<EventDraft, 'conversation' | 'sender'>, paired: boolean): AccessVerdict {
  const trust = senderTrust(policy, draft.sender.id, paired);
  if (trust === 'owner') return { pass: true, trust };
  if (draft.conversation.kind !== 'dm') {
    return groupAllowed(policy, draft.conversation) ? { pass: true, trust } : { pass: false, reason: 'group-not-allowed', trust };
  }
  switch (policy.dm) {
    case 'disabled':
      return { pass: false, reason: 'dm-disabled', trust };
    case 'open':
      return { pass: true, trust };
    case 'allowlist':
      return trust === 'unknown' ? { pass: false, reason: 'dm-not-allowed', trust } : { pass: true, trust };
    case 'pairing':
      return trust === 'unknown' ? { pass: false, reason: 'dm-not-paired', trust, offerPairing: true } : { pass: true, trust };
  }
}
