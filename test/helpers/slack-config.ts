/** Write a config file (and its 0600 token files) for a runtime with one Slack connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export function writeSlackConfig(dir: string, apiUrl: string, tokens: { appToken: string; botToken: string }, options: { name?: string; file?: string; access?: AccessBlock } = {}): string {
  const base = options.file ?? 'switchboard';
  const appFile = join(dir, `${base}.slack-app.token`);
  const botFile = join(dir, `${base}.slack-bot.token`);
  writeFileSync(appFile, `${tokens.appToken}\n`, { mode: 0o600 });
  writeFileSync(botFile, `${tokens.botToken}\n`, { mode: 0o600 });
  const file = join(dir, `${base}.yaml`);
  writeFileSync(
    file,
    [
      `state_dir: ${join(dir, 'state')}`,
      'log:',
      '  level: debug',
      'shutdown:',
      '  timeout: 5s',
      'connectors:',
      `  ${options.name ?? 'sl'}:`,
      '    platform: slack',
      `    app_token: {file: ${appFile}}`,
      `    bot_token: {file: ${botFile}}`,
      `    api_url: "${apiUrl}"`,
      accessLine(options.access),
      '',
    ].join('\n'),
  );
  return file;
}
