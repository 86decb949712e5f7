/**
 * The one list of platforms. Adding a platform = one folder under connectors/ and one line here.
 * Both halves load lazily: `schema` is light (zod only) and is read to validate config; `load` pulls in
 * the connector and its SDK, and runs only for platforms the config names.
 */
import type { ConnectorSchemaModule, ConnectorModule } from '../src/registry-types.js';

export const registry: Record<string, { schema: () => Promise<ConnectorSchemaModule>; load: () => Promise<ConnectorModule> }> = {
  loopback: { schema: () => import('./loopback/schema.js'), load: () => import('./loopback/index.js') },
};
