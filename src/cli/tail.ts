/** `switchboard tail` — follow the bus as an agent would: print each event, then ack it. */
import { Command } from 'commander';
import type { InboundEvent } from '../bus/types.js';
import { ControlClient } from '../control/client.js';
import { EXIT, configOption, loadConfigOrReport, reportError } from './common.js';

export function tailCommand(): Command {
  return new Command('tail')
    .description('follow the bus as an agent would: print each event, then ack it (un-acked events come again next time)')
    .addOption(configOption())
    .option('--json', 'one JSON event per line')
    .option('--from <id>', 'start at this event id instead of where this subscriber last acked')
    .option('--subscriber <name>', 'subscriber name: its cursor is kept across runs', 'tail')
    .option('--limit <n>', 'exit after this many events', (v) => Number.parseInt(v, 10))
    .action(async (opts: { config?: string; json?: boolean; from?: string; subscriber: string; limit?: number }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return;
      let client: ControlClient;
      try {
        client = await ControlClient.connect(config.stateDir);
      } catch (err) {
        reportError(err, config.secretValues);
        return;
      }
      let seen = 0;
      let acking: Promise<unknown> = Promise.resolve();
      await new Promise<void>((resolve) => {
        const finish = (code: number) => {
          process.exitCode = code;
          resolve();
        };
        client.onClose = () => {
          process.stderr.write('switchboard: the runtime stopped\n');
          finish(EXIT.degraded);
        };
        process.once('SIGINT', () => {
          client.onClose = undefined;
          void acking.finally(() => finish(EXIT.ok));
        });
        client
          .subscribe(
            opts.subscriber,
            (event) => {
              if (opts.limit !== undefined && seen >= opts.limit) return;
              seen++;
              process.stdout.write(opts.json ? JSON.stringify(event) + '\n' : formatEvent(event));
              acking = client.ack(event.id);
              if (opts.limit !== undefined && seen >= opts.limit) {
                client.onClose = undefined;
                void acking.finally(() => finish(EXIT.ok));
              }
            },
            opts.from,
          )
          .catch((err: unknown) => {
            reportError(err, config.secretValues);
            resolve();
          });
      });
      client.close();
    });
}

/** One human line per event. */
export function formatEvent(e: InboundEvent): string {
  const who = e.sender.name ?? e.sender.username ?? e.sender.id;
  const what = e.kind === 'action' ? `[button ${e.action?.id}${e.action?.value ? `=${e.action.value}` : ''}]` : (e.text ?? '');
  return `${e.id}  ${e.receivedAt}  ${e.connector}  ${e.conversation.kind}:${e.conversation.id}  ${e.kind}  ${who}: ${what}\n`;
}
