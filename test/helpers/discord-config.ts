/** Write a config file (and its 0600 token file) for a runtime with one Discord connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export function writeDiscordConfig(dir: string, apiBase: string, token: string, options: { name?: string; level?: string; access?: AccessBlock } = {}): string {
  const tokenFile = join(dir, 'discord.token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const file = join(dir, 'switchboard.yaml');
  writeFileSync(
    file,
    [
      `state_dir: ${join(dir, 'state')}`,
      'log:',
      `  level: ${options.level ?? 'debug'}`,
      'shutdown:',
      '  timeout: 5s',
      'connectors:',
      `  ${options.name ?? 'dc'}:`,
      '    platform: discord',
      `    token: {file: ${tokenFile}}`,
      `    api_base: "${apiBase}"`,
      accessLine(options.access),
      '',
    ].join('\n'),
  );
  return file;
}
