/** `switchboard tail` — follow the bus as an agent would: print each event, then ack it. */
import { Command, InvalidArgumentError } from 'commander';
import { isEventId } from '../bus/event-id.js';
import type { InboundEvent } from '../bus/types.js';
import { ControlClient } from '../control/client.js';
import { SbError } from '../errors.js';
import { EXIT, configOption, loadConfigOrReport, reportError } from './common.js';

function eventIdArg(value: string): string {
  if (!isEventId(value)) throw new InvalidArgumentError('not an event id: give one as tail --json prints it, e.g. ev_0000000002s');
  return value;
}

function positiveIntArg(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('give a positive whole number, e.g. --limit 10');
  return Number(value);
}

/**
 * `switchboard tail`. Exit codes: 0 after `--limit` events or Ctrl-C (every printed event acked);
 * 1 when the runtime stops or refuses an ack (un-acked events come again next time); 2 when the
 * runtime is not running or the config is invalid.
 */
export function tailCommand(): Command {
  return new Command('tail')
    .description(
      'follow the bus as an agent would: print each event, then ack it (un-acked events come again next time). ' +
        'Exit code 0 after --limit events or Ctrl-C, 1 when the runtime stops (or refuses an ack), 2 when it is not running or the config is invalid.',
    )
    .addOption(configOption())
    .option('--json', 'one JSON event per line')
    .option('--from <id>', 'start at this event id (ev_ and 11 base-36 digits, as tail --json prints) instead of where this subscriber last acked', eventIdArg)
    .option('--subscriber <name>', 'subscriber name: its cursor is kept across runs', 'tail')
    .option('--limit <n>', 'exit after this many events (a positive integer)', positiveIntArg)
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
      /** Settles (never rejects) once the last ack is answered or has failed. */
      let acking: Promise<unknown> = Promise.resolve();
      await new Promise<void>((resolve) => {
        let done = false;
        // Once: the first outcome (limit reached, Ctrl-C, runtime gone, ack refused) sets the exit code.
        const finish = (code: number) => {
          if (done) return;
          done = true;
          client.onClose = undefined;
          process.exitCode = code;
          resolve();
        };
        const runtimeStopped = () => {
          if (done) return;
          process.stderr.write('switchboard: the runtime stopped; events not acked come again next time\n');
          finish(EXIT.degraded);
        };
        client.onClose = runtimeStopped;
        process.once('SIGINT', () => void acking.then(() => finish(EXIT.ok)));
        client
          .subscribe(
            opts.subscriber,
            (event) => {
              if (done || (opts.limit !== undefined && seen >= opts.limit)) return;
              seen++;
              process.stdout.write(opts.json ? JSON.stringify(event) + '\n' : formatEvent(event));
              acking = client.ack(event.id).catch((err: unknown) => {
                if (err instanceof SbError && err.code === 'SB_E_NOT_RUNNING') return runtimeStopped();
                if (done) return;
                reportError(err, config.secretValues, EXIT.degraded);
                finish(EXIT.degraded);
              });
              if (opts.limit !== undefined && seen >= opts.limit) void acking.then(() => finish(EXIT.ok));
            },
            opts.from,
          )
          .catch((err: unknown) => {
            if (done) return;
            reportError(err, config.secretValues);
            finish(EXIT.invalid);
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
