/** A runtime config with one Feishu connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export function writeFeishuConfig(dir: string, domain: string, appId: string, appSecret: string, options: { name?: string; file?: string; access?: AccessBlock } = {}): string {
  return writeRuntimeConfig(
    dir,
    { name: options.name ?? 'fs', platform: 'feishu', secrets: { app_secret: appSecret }, fields: { app_id: appId, domain }, ...(options.access ? { access: options.access } : {}) },
    { ...(options.file ? { file: options.file } : {}) },
  );
}
