/**
 * The Lark SDK's logger, routed into the connector's pino child at debug level. The SDK logs whole
 * axios errors (their `config` holds the app secret or the tenant token) and the socket URL (a
 * short-lived ticket), so only strings and error messages pass, and URL query strings are cut.
 */
import type { Logger } from 'pino';

type SdkLog = (...msg: unknown[]) => void;

/** An object with the five methods the SDK calls, each taking the SDK's argument array. */
export function sdkLogger(log: Logger): { error: SdkLog; warn: SdkLog; info: SdkLog; debug: SdkLog; trace: SdkLog } {
  const write = (level: string) => (...msg: unknown[]) => {
    if (!log.isLevelEnabled('debug')) return;
    const parts = (msg.length === 1 && Array.isArray(msg[0]) ? (msg[0] as unknown[]) : msg).map(safePart);
    log.debug({ sdk: 'lark', sdkLevel: level }, parts.join(' '));
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug'), trace: write('trace') };
}

function safePart(part: unknown): string {
  const text = part instanceof Error ? `${part.name}: ${part.message}` : typeof part === 'string' ? part : typeof part === 'number' ? String(part) : '[object]';
  return text.replace(/(wss?:\/\/[^\s?]+)\?\S*/g, '$1?…').slice(0, 500);
}
