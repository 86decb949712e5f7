/** A runtime config with one Discord connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export function writeDiscordConfig(dir: string, apiBase: string, token: string, options: { name?: string; level?: string; access?: AccessBlock } = {}): string {
  return writeRuntimeConfig(
    dir,
    { name: options.name ?? 'dc', platform: 'discord', secrets: { token }, fields: { api_base: apiBase }, ...(options.access ? { access: options.access } : {}) },
    { ...(options.level ? { level: options.level } : {}) },
  );
}
