/**
 * A complete agent on the agent API (docs/agent-api.md): it answers every text message with
 * "echo: <text>", acks each event once handled, and rides out runtime restarts by reconnecting under
 * the same subscriber name (whatever it had not acked comes again).
 *
 *   node dist/examples/echo-agent.js ~/.switchboard [subscriber]
 *
 * Built with the project and run by test/e2e/agent-api-cli.test.ts, so it cannot rot.
 */
import { AgentClient, AgentError } from '../src/agent/client.js';

const stateDir = process.argv[2];
const subscriber = process.argv[3] ?? 'echo-example';
if (!stateDir) {
  process.stderr.write('usage: echo-agent STATE_DIR [SUBSCRIBER]\n');
  process.exit(2);
}

let client: AgentClient | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    client?.close();
  });
}

while (!stopping) {
  try {
    client = await AgentClient.connect(stateDir);
    for await (const event of client.events({ subscriber, filter: { kind: ['message', 'command'] } })) {
      if (event.text) {
        const target = { connector: event.connector, conversation: event.conversation.id, correlationId: event.correlationId };
        try {
          await (event.messageId ? client.reply({ ...target, replyTo: event.messageId, text: `echo: ${event.text}` }) : client.send({ ...target, text: `echo: ${event.text}` }));
        } catch (err) {
          // A platform refusal is final for this message; a rate limit could be retried after err.retryAfterMs.
          if (!(err instanceof AgentError) || err.code === 'SB_E_NOT_RUNNING') throw err;
          process.stderr.write(`echo-agent: could not answer ${event.id}: ${err.code} ${err.message}\n`);
        }
      }
      await client.ack(event.id);
      process.stdout.write(`handled ${event.id}\n`);
    }
  } catch (err) {
    if (!(err instanceof AgentError && err.code === 'SB_E_NOT_RUNNING')) throw err;
    // The runtime is not (or no longer) running: try again shortly and resume where we acked.
    client?.close();
    if (!stopping) await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
