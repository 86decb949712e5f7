/** Write a config file (and its 0600 token file) for a runtime with one Telegram connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export function writeTelegramConfig(dir: string, apiRoot: string, token: string, options: { name?: string; pollTimeout?: number; file?: string; access?: AccessBlock } = {}): string {
  const tokenFile = join(dir, `${options.file ?? 'switchboard'}.tg.token`);
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const file = join(dir, `${options.file ?? 'switchboard'}.yaml`);
  writeFileSync(
    file,
    [
      `state_dir: ${join(dir, 'state')}`,
      'log:',
      '  level: debug',
      'shutdown:',
      '  timeout: 5s',
      'connectors:',
      `  ${options.name ?? 'tg'}:`,
      '    platform: telegram',
      `    token: {file: ${tokenFile}}`,
      `    api_root: "${apiRoot}"`,
      '    polling:',
      `      timeout: ${options.pollTimeout ?? 5}`,
      accessLine(options.access),
      '',
    ].join('\n'),
  );
  return file;
}
