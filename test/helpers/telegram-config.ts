/** A runtime config with one Telegram connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export function writeTelegramConfig(dir: string, apiRoot: string, token: string, options: { name?: string; pollTimeout?: number; file?: string; access?: AccessBlock } = {}): string {
  return writeRuntimeConfig(
    dir,
    { name: options.name ?? 'tg', platform: 'telegram', secrets: { token }, fields: { api_root: apiRoot, polling: { timeout: options.pollTimeout ?? 5 } }, ...(options.access ? { access: options.access } : {}) },
    { ...(options.file ? { file: options.file } : {}) },
  );
}
