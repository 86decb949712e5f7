/** The @slack/logger interface over a pino child, so Bolt's clients log through switchboard's logger. */
import type { LogLevel, Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Everything the SDK says goes to `trace` (its debug lines quote whole envelopes, i.e. users' messages)
 * or `debug` (its warnings and errors): the connector reports what matters itself, once, secret-free.
 */
export function sdkLogger(log: Logger): SlackLogger {
  return {
    debug: (...msg: unknown[]) => log.trace({ sdk: 'slack' }, msg.map(String).join(' ')),
    info: (...msg: unknown[]) => log.trace({ sdk: 'slack' }, msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => log.debug({ sdk: 'slack' }, msg.map(String).join(' ')),
    error: (...msg: unknown[]) => log.debug({ sdk: 'slack' }, msg.map(String).join(' ')),
    setLevel: () => undefined,
    // Not DEBUG: the socket client then skips building its per-ack debug strings.
    getLevel: () => 'info' as LogLevel.INFO,
    setName: () => undefined,
  };
}
