/**
 * The full config schema, assembled at load time: the core schema around a union of every registered
 * connector's block schema, discriminated on `platform`. Only the light `schema.ts` halves are loaded.
 */
import { z } from 'zod';
import { registry } from '../../connectors/registry.js';
import type { ConnectorSchemaModule } from '../registry-types.js';
import { buildConfigSchema } from './schema.js';

/** The part of `connectors/registry.ts` config loading needs (tests pass their own). */
export type SchemaRegistry = Record<string, { schema: () => Promise<ConnectorSchemaModule> }>;

/** Every registered connector's schema module, by platform, in registry order. */
export async function loadConnectorSchemas(reg: SchemaRegistry = registry): Promise<Map<string, ConnectorSchemaModule>> {
  const modules = new Map<string, ConnectorSchemaModule>();
  for (const [platform, entry] of Object.entries(reg)) modules.set(platform, await entry.schema());
  return modules;
}

/** The full config schema for these connector schemas. Throws if there are none (a broken registry). */
export function fullConfigSchema(modules: ReadonlyMap<string, ConnectorSchemaModule>) {
  const schemas = [...modules.values()].map((m) => m.schema);
  const [first, ...rest] = schemas;
  if (!first) throw new Error('connectors/registry.ts lists no platform; register at least one connector');
  return buildConfigSchema(z.discriminatedUnion('platform', [first, ...rest]));
}
