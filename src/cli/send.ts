/** `switchboard send CONNECTOR CONVERSATION TEXT` — an outbound message through the running runtime. */
import { Command } from 'commander';
import type { SendResult } from '../bus/types.js';
import { ControlClient } from '../control/client.js';
import { SbError } from '../errors.js';
import { EXIT, configOption, loadConfigOrReport, reportError } from './common.js';

export function sendCommand(): Command {
  return new Command('send')
    .description('send TEXT to CONVERSATION through connector CONNECTOR of the running runtime')
    .argument('<connector>', 'connector name from the config')
    .argument('<conversation>', 'platform conversation id (chat, channel or DM id)')
    .argument('<text>', 'message text (split to the platform limit when longer)')
    .addOption(configOption())
    .option('--reply-to <messageId>', 'reply to this platform message id')
    .option('--thread <id>', 'thread or topic inside the conversation')
    .action(async (connector: string, conversation: string, text: string, opts: { config?: string; replyTo?: string; thread?: string }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return;
      let client: ControlClient;
      try {
        client = await ControlClient.connect(config.stateDir);
      } catch (err) {
        reportError(err, config.secretValues);
        return;
      }
      try {
        const command = opts.replyTo
          ? { type: 'reply', connector, conversation, text, replyTo: opts.replyTo }
          : { type: 'send', connector, conversation, text };
        const { type, ...fields } = command;
        const result = await client.request<SendResult>(type, { ...fields, ...(opts.thread ? { thread: opts.thread } : {}) });
        process.stdout.write(`sent: ${result.messageIds.join(', ') || '(no id)'}\n`);
      } catch (err) {
        const invalid = err instanceof SbError && (err.code === 'SB_E_UNKNOWN_CONNECTOR' || err.code === 'SB_E_BAD_REQUEST');
        reportError(err, config.secretValues, invalid ? EXIT.invalid : EXIT.degraded);
      } finally {
        client.close();
      }
    });
}
