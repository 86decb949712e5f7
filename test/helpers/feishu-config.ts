/** Write a config file (and its 0600 app-secret file) for a runtime with one Feishu connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export function writeFeishuConfig(dir: string, domain: string, appId: string, appSecret: string, options: { name?: string; file?: string; access?: AccessBlock } = {}): string {
  const secretFile = join(dir, `${options.file ?? 'switchboard'}.fs.secret`);
  writeFileSync(secretFile, `${appSecret}\n`, { mode: 0o600 });
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
      `  ${options.name ?? 'fs'}:`,
      '    platform: feishu',
      `    app_id: ${appId}`,
      `    app_secret: {file: ${secretFile}}`,
      `    domain: "${domain}"`,
      accessLine(options.access),
      '',
    ].join('\n'),
  );
  return file;
}
