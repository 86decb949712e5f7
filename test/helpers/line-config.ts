/** Write a config file (and its 0600 secret files) for a runtime with one LINE connector. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLine, type AccessBlock } from './access.js';

export interface LineConfigOptions {
  name?: string;
  file?: string;
  access?: AccessBlock;
  /** Defaults to `http://<bind>`: no tunnel in tests, the emulator posts to the listener directly. */
  publicUrl?: string;
}

/** `bind` is the listener's loopback `host:port` (pick a free port: the hook URL must be known before start). */
export function writeLineConfig(dir: string, creds: { apiBase: string; channelSecret: string; accessToken: string }, bind: string, options: LineConfigOptions = {}): string {
  const base = options.file ?? 'switchboard';
  const secretFile = join(dir, `${base}.line.secret`);
  const tokenFile = join(dir, `${base}.line.token`);
  writeFileSync(secretFile, `${creds.channelSecret}\n`, { mode: 0o600 });
  writeFileSync(tokenFile, `${creds.accessToken}\n`, { mode: 0o600 });
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
      `  ${options.name ?? 'line'}:`,
      '    platform: line',
      `    channel_secret: {file: ${secretFile}}`,
      `    access_token: {file: ${tokenFile}}`,
      `    api_base: "${creds.apiBase}"`,
      '    webhook:',
      `      bind: "${bind}"`,
      `      public_url: "${options.publicUrl ?? `http://${bind}`}"`,
      accessLine(options.access),
      '',
    ].join('\n'),
  );
  return file;
}
