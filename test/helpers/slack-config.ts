/** A runtime config with one Slack connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export function writeSlackConfig(dir: string, apiUrl: string, tokens: { appToken: string; botToken: string }, options: { name?: string; file?: string; access?: AccessBlock } = {}): string {
  return writeRuntimeConfig(
    dir,
    { name: options.name ?? 'sl', platform: 'slack', secrets: { app_token: tokens.appToken, bot_token: tokens.botToken }, fields: { api_url: apiUrl }, ...(options.access ? { access: options.access } : {}) },
    { ...(options.file ? { file: options.file } : {}) },
  );
}
