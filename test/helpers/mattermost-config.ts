/** Write a config file (and its 0600 token file) for a runtime with one Mattermost connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export function writeMattermostConfig(
  dir: string,
  url: string,
  token: string,
  options: { name?: string; file?: string; access?: AccessBlock; callbacks?: string; level?: string } = {},
): string {
  const base = options.file ?? 'switchboard';
  const tokenFile = join(dir, `${base}.mm.token`);
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const file = join(dir, `${base}.yaml`);
  writeFileSync(
    file,
    [
      `state_dir: ${join(dir, 'state')}`,
      'log:',
      `  level: ${options.level ?? 'debug'}`,
      'shutdown:',
      '  timeout: 5s',
      'connectors:',
      `  ${options.name ?? 'mm'}:`,
      '    platform: mattermost',
      `    url: "${url}"`,
      `    token: {file: ${tokenFile}}`,
      ...(options.callbacks ? ['    callbacks:', `      bind: "${options.callbacks}"`] : []),
      accessLine(options.access),
      '',
    ].join('\n'),
  );
  return file;
}
