/**
 * The typed agent client (docs/agent-api.md): subscribe to the bus through the runtime's socket, ack
 * what you handled, and send commands back. A thin layer over the control client: one connection,
 * one subscription.
 *
 * Reconnect-and-resume: when the runtime stops, `events()` ends by throwing `SB_E_NOT_RUNNING`.
 * Connect again and call `events()` with the same subscriber name: every event not acked before the
 * drop comes again, in order, then the new ones — nothing acked comes twice, nothing is skipped.
 */
import { statSync } from 'node:fs';
import type { InboundEvent, OutboundCommand, SendResult } from '../bus/types.js';
import { ControlClient, controlSocketPath, type SubscribeRequest } from '../control/client.js';
import { SbError, type SbErrorCode } from '../errors.js';

/** The error every failed request throws: `code` is one of docs/agent-api.md's stable codes. */
export { SbError as AgentError };
export type AgentErrorCode = SbErrorCode;
export type { EventFilter } from '../control/protocol.js';

/** Options of {@link AgentClient.events}. */
export interface EventsOptions extends SubscribeRequest {
  /** The name the runtime keeps this agent's cursor under (letters, digits, `_.-`, at most 64). */
  subscriber: string;
}

type Fields<T extends OutboundCommand['type']> = Omit<Extract<OutboundCommand, { type: T }>, 'type'>;

/** An agent's connection to a running switchboard. */
export class AgentClient {
  readonly #control: ControlClient;
  #subscribed = false;
  /** Set by `close()`: the end of the stream is then ours, not the runtime going away. */
  #closing = false;

  private constructor(control: ControlClient) {
    this.#control = control;
  }

  /**
   * Connect to the runtime of a state directory (or straight to its socket path). Rejects with
   * `SB_E_NOT_RUNNING` when no runtime answers.
   */
  static async connect(stateDirOrSocketPath: string): Promise<AgentClient> {
    let path = stateDirOrSocketPath;
    try {
      if (statSync(path).isDirectory()) path = controlSocketPath(path);
    } catch {
      // Neither a directory nor a socket that exists: connecting says so.
    }
    return new AgentClient(await ControlClient.connectSocket(path));
  }

  /**
   * Every event for `subscriber` not yet acked (or from `from`), then each new one, in journal order.
   * Only one subscription per client. Throws `SB_E_NOT_RUNNING` when the runtime goes away; ends
   * quietly after `close()`.
   */
  async *events(options: EventsOptions): AsyncGenerator<InboundEvent, void, undefined> {
    if (this.#subscribed) throw new SbError('SB_E_BAD_REQUEST', 'this client already has a subscription; connect another client for another subscriber');
    this.#subscribed = true;
    const queue: InboundEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    this.#control.onClose = () => {
      ended = true;
      wake?.();
    };
    const { subscriber, ...request } = options;
    await this.#control.subscribe(subscriber, (event) => {
      queue.push(event);
      wake?.();
    }, request);
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      if (ended) {
        if (this.#closing) return;
        throw new SbError('SB_E_NOT_RUNNING', 'the runtime closed the agent connection; connect again and subscribe under the same name to resume');
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  /** Durably mark an event handled by this client's subscriber; it is never delivered to that name again. */
  async ack(eventId: string): Promise<void> {
    await this.#control.ack(eventId);
  }

  /** Carry out any outbound command; resolves with the platform's message ids. */
  command(cmd: OutboundCommand): Promise<SendResult> {
    const { type, ...fields } = cmd;
    return this.#control.request<SendResult>(type, fields);
  }

  /** A new message in a conversation. */
  send(cmd: Fields<'send'>): Promise<SendResult> {
    return this.command({ type: 'send', ...cmd });
  }

  /** A message answering `replyTo` (an event's `messageId`). */
  reply(cmd: Fields<'reply'>): Promise<SendResult> {
    return this.command({ type: 'reply', ...cmd });
  }

  /** Replace the text of a message the bot sent. `SB_E_UNSUPPORTED` where the platform cannot edit. */
  edit(cmd: Fields<'edit'>): Promise<SendResult> {
    return this.command({ type: 'edit', ...cmd });
  }

  /** React to a message with an emoji. */
  react(cmd: Fields<'react'>): Promise<SendResult> {
    return this.command({ type: 'react', ...cmd });
  }

  /** Show "typing…" where the platform has it (a no-op elsewhere). */
  typing(cmd: Fields<'typing'>): Promise<SendResult> {
    return this.command({ type: 'typing', ...cmd });
  }

  /** A message with buttons; presses come back as `action` events from allowed users only. */
  buttons(cmd: Fields<'buttons'>): Promise<SendResult> {
    return this.command({ type: 'buttons', ...cmd });
  }

  /** Close the connection; a running `events()` loop ends. Un-acked events come again next time. */
  close(): void {
    this.#closing = true;
    this.#control.close();
  }
}
