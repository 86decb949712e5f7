import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { buildJsonSchema, renderJsonSchema } from '../../src/config/json-schema.js';

const committed = new URL('../../config/switchboard.schema.json', import.meta.url);

describe('config/switchboard.schema.json', () => {
  it('is current with the zod schemas', async () => {
    const onDisk = await readFile(committed, 'utf8');
    const fresh = await renderJsonSchema();
    expect(onDisk === fresh, 'config/switchboard.schema.json is stale: run npm run build && npm run schema').toBe(true);
  });

  it('describes the core and every registered connector, with descriptions', async () => {
    const schema = (await buildJsonSchema()) as {
      $id: string;
      title: string;
      properties: Record<string, { description?: string; additionalProperties?: { oneOf?: { properties: { platform: { const: string } } }[] } }>;
    };
    expect(schema.$id).toBe('urn:switchboard:config');
    expect(schema.title).toBe('Switchboard configuration');
    expect(schema.properties.state_dir?.description).toMatch(/state|journal/i);
    const platforms = schema.properties.connectors?.additionalProperties?.oneOf?.map((o) => o.properties.platform.const);
    expect(platforms).toContain('loopback');
  });
});
