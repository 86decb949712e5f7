/** A runtime config with one LINE connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export interface LineConfigOptions {
  name?: string;
  file?: string;
  access?: AccessBlock;
  /** Defaults to `http://<bind>`: no tunnel in tests, the emulator posts to the listener directly. */
  publicUrl?: string;
}

/** `bind` is the listener's loopback `host:port` (pick a free port: the hook URL must be known before start). */
export function writeLineConfig(dir: string, creds: { apiBase: string; channelSecret: string; accessToken: string }, bind: string, options: LineConfigOptions = {}): string {
  return writeRuntimeConfig(
    dir,
    {
      name: options.name ?? 'line',
      platform: 'line',
      secrets: { channel_secret: creds.channelSecret, access_token: creds.accessToken },
      fields: { api_base: creds.apiBase, webhook: { bind, public_url: options.publicUrl ?? `http://${bind}` } },
      ...(options.access ? { access: options.access } : {}),
    },
    { ...(options.file ? { file: options.file } : {}) },
  );
}
