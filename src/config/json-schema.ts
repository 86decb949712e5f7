/**
 * The JSON Schema of the config file, generated from the zod schemas (core + every registered
 * connector) so editors can complete and check `switchboard.yaml`. Written to
 * `config/switchboard.schema.json` by `npm run schema`; a test keeps the committed file current.
 */
import { z } from 'zod';
import type { SchemaRegistry } from './connector-schemas.js';
import { fullConfigSchema, loadConnectorSchemas } from './connector-schemas.js';

/** Identifies the schema; a URN, because the file is used locally (`$schema: ./switchboard.schema.json`). */
export const CONFIG_SCHEMA_ID = 'urn:switchboard:config';

/**
 * The config's JSON Schema (input side: defaults are optional; draft-07, which YAML editors support
 * best). Throws if the registry is empty.
 */
export async function buildJsonSchema(registry?: SchemaRegistry): Promise<Record<string, unknown>> {
  const schema = fullConfigSchema(await loadConnectorSchemas(registry));
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Switchboard configuration',
    description: 'switchboard.yaml: the runtime core settings and one block per connector under `connectors:`.',
    ...rest,
  };
}

/** The schema as the committed file holds it: 2-space JSON and a trailing newline. */
export async function renderJsonSchema(registry?: SchemaRegistry): Promise<string> {
  return `${JSON.stringify(await buildJsonSchema(registry), null, 2)}\n`;
}
