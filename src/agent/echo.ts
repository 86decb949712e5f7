/** The sandbox's built-in agent: answers every message with "echo: <text>", acking each event after. */
import type { InboundEvent } from '../bus/types.js';
import type { Runtime } from '../runtime.js';

export interface EchoAgent {
  close(): Promise<void>;
}

/** Subscribe to the runtime's bus as `echo-agent` and reply to each message. */
export function startEchoAgent(runtime: Pick<Runtime, 'bus' | 'send'>, subscriber = 'echo-agent'): EchoAgent {
  let work: Promise<void> = Promise.resolve();
  const onEvent = (event: InboundEvent) => {
    work = work.then(async () => {
      try {
        if ((event.kind === 'message' || event.kind === 'command') && event.text) {
          const base = { connector: event.connector, conversation: event.conversation.id, correlationId: event.correlationId };
          await runtime.send(
            event.messageId
              ? { ...base, type: 'reply', replyTo: event.messageId, text: `echo: ${event.text}` }
              : { ...base, type: 'send', text: `echo: ${event.text}` },
          );
        }
        await runtime.bus.ack(subscriber, event.id);
      } catch {
        // Not acked: the event comes again on the next subscription, as it would for any agent.
      }
    });
  };
  const subscription = runtime.bus.subscribe(subscriber, onEvent);
  return {
    close: async () => {
      subscription.close();
      await work;
    },
  };
}
