/**
 * The full config schema, assembled at load time: the core schema around a union of every registered
 * connector's block schema, discriminated on `platform`. Only the light `schema.ts` halves are loaded.
 */
import { z } from 'zod';
import { registry } from '../../connectors/registry.js';
import { registerTokenShapes } from '../log/redact.js';
import type { ConnectorSchemaModule } from '../registry-types.js';
import { buildConfigSchema } from './schema.js';

/** The part of `connectors/registry.ts` config loading needs (tests pass their own). */
export type SchemaRegistry = Record<string, { schema: () => Promise<ConnectorSchemaModule> }>;

/**
 * Every registered connector's schema module, by platform, in registry order. Registers each module's
 * `redactPatterns` with the log redactor on the way (every config load passes here).
 */
export async function loadConnectorSchemas(reg: SchemaRegistry = registry): Promise<Map<string, ConnectorSchemaModule>> {
  const modules = new Map<string, ConnectorSchemaModule>();
  for (const [platform, entry] of Object.entries(reg)) {
    const module = await entry.schema();
    if (module.redactPatterns) registerTokenShapes(module.redactPatterns);
    modules.set(platform, module);
  }
  return modules;
}

/**
 * Register every connector's token shapes with the log redactor without loading a config: for paths
 * that may report an error before any config is loaded (`switchboard sandbox` starts its emulators first).
 */
export async function loadRedactPatterns(reg: SchemaRegistry = registry): Promise<void> {
  await loadConnectorSchemas(reg);
}

/** The full config schema for these connector schemas. Throws if there are none (a broken registry). */
export function fullConfigSchema(modules: ReadonlyMap<string, ConnectorSchemaModule>) {
  const schemas = [...modules.values()].map((m) => m.schema);
  const [first, ...rest] = schemas;
  if (!first) throw new Error('connectors/registry.ts lists no platform; register at least one connector');
  return buildConfigSchema(z.discriminatedUnion('platform', [first, ...rest]));
}
