/**
 * The one event shape every platform is normalized into, and the commands an agent sends back.
 * See DESIGN.md "Events on the bus".
 */

/** A platform name as written in config (`platform:`); the registry is the list of known ones. */
export type Platform = string;

export type Transport = 'outbound-socket' | 'webhook';
export type Verification = 'signature' | 'token' | 'socket-auth';
export type SenderTrust = 'owner' | 'allowed' | 'paired' | 'unknown';

export type EventKind = 'message' | 'command' | 'action' | 'reaction' | 'edit' | 'delete' | 'lifecycle';
export type ConversationKind = 'dm' | 'group' | 'channel' | 'thread';

export interface Conversation {
  id: string;
  kind: ConversationKind;
  parentId?: string;
  title?: string;
}

export interface Sender {
  id: string;
  name?: string;
  username?: string;
  isBot: boolean;
}

export interface Attachment {
  kind: string;
  name?: string;
  size?: number;
  ref: string;
}

export interface Provenance {
  transport: Transport;
  verified: Verification;
  /** Untrusted by default; the access policy raises it. */
  sender: SenderTrust;
}

export interface InboundEvent {
  /** Assigned at ingest by the journal; sortable (lexicographic order = journal order). */
  id: string;
  /** `connector:platform-native-id`; the journal refuses a second copy. */
  dedupKey: string;
  connector: string;
  platform: Platform;
  kind: EventKind;
  conversation: Conversation;
  sender: Sender;
  /**
   * The platform's id of the message this event is about: the new message itself, or the message that
   * was edited, deleted, reacted to or whose button was pressed. What `reply`/`edit`/`react` take.
   * (Not in the first DESIGN.md shape: without it an agent cannot answer a specific message.)
   */
  messageId?: string;
  text?: string;
  /** The message this one replies to. */
  replyTo?: string;
  action?: { id: string; value?: string };
  attachments?: Attachment[];
  receivedAt: string;
  platformTime?: string;
  provenance: Provenance;
  /** The same id in the ingress log, the bus, the agent and the outbound reply. */
  correlationId: string;
}

/** What a connector hands to `ctx.ingest`: the journal assigns `id` and `receivedAt`. */
export type EventDraft = Omit<InboundEvent, 'id' | 'receivedAt' | 'correlationId'> & {
  receivedAt?: string;
  correlationId?: string;
};

export interface ButtonSpec {
  id: string;
  label: string;
  value?: string;
  style?: 'primary' | 'secondary' | 'danger';
}

interface CommandBase {
  connector: string;
  conversation: string;
  /** Thread / topic inside the conversation, where the platform has them. */
  thread?: string;
  correlationId?: string;
}

export type OutboundCommand =
  | (CommandBase & { type: 'send'; text: string })
  | (CommandBase & { type: 'reply'; replyTo: string; text: string })
  | (CommandBase & { type: 'edit'; messageId: string; text: string })
  | (CommandBase & { type: 'react'; messageId: string; emoji: string })
  | (CommandBase & { type: 'typing' })
  | (CommandBase & {
      type: 'buttons';
      text: string;
      buttons: ButtonSpec[];
      /** Platform user ids allowed to press; empty = whoever may reach the agent. */
      allowedUsers?: string[];
    });

export type OutboundCommandType = OutboundCommand['type'];

export interface SendResult {
  /** Platform message id(s); more than one when the text was split to the platform's limit. */
  messageIds: string[];
}
