/** A runtime config with one loopback connector (see runtime-config.ts). */
import type { AccessBlock } from './access.js';
import { writeRuntimeConfig } from './runtime-config.js';

export function writeLoopbackConfig(dir: string, endpoint: string, token: string, access?: AccessBlock): string {
  return writeRuntimeConfig(dir, { name: 'lb', platform: 'loopback', secrets: { token }, fields: { endpoint }, ...(access ? { access } : {}) });
}
