/** A runtime config with one Mattermost connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export function writeMattermostConfig(
  dir: string,
  url: string,
  token: string,
  options: { name?: string; file?: string; access?: AccessBlock; callbacks?: string; level?: string } = {},
): string {
  return writeRuntimeConfig(
    dir,
    {
      name: options.name ?? 'mm',
      platform: 'mattermost',
      secrets: { token },
      fields: { url, ...(options.callbacks ? { callbacks: { bind: options.callbacks } } : {}) },
      ...(options.access ? { access: options.access } : {}),
    },
    { ...(options.file ? { file: options.file } : {}), ...(options.level ? { level: options.level } : {}) },
  );
}
