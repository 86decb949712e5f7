/** Write a config file (and its 0600 token file) for a runtime with one loopback connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export function writeLoopbackConfig(dir: string, endpoint: string, token: string, extra = '', access?: AccessBlock): string {
  const tokenFile = join(dir, 'lb.token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const file = join(dir, 'switchboard.yaml');
  writeFileSync(
    file,
    `state_dir: ${join(dir, 'state')}\nlog:\n  level: debug\nshutdown:\n  timeout: 5s\nconnectors:\n  lb:\n    platform: loopback\n    endpoint: "${endpoint}"\n    token: {file: ${tokenFile}}\n${accessLine(access)}\n${extra}`,
  );
  return file;
}
