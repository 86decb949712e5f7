import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { buildJsonSchema } from '../../src/config/json-schema.js';
import { tempDirs } from './helpers.js';

const example = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));
const newDir = tempDirs();

/** Every property name anywhere in a JSON schema. */
function propertyNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) propertyNames(item, into);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value !== null && typeof value === 'object') for (const name of Object.keys(value)) into.add(name);
      propertyNames(value, into);
    }
  }
  return into;
}

describe('config/example.yaml', () => {
  it('points editors at the JSON schema on its first line, from where the README copies it (the repository root)', async () => {
    const text = await readFile(example, 'utf8');
    const link = '# yaml-language-server: $schema=./config/switchboard.schema.json';
    expect(text.split('\n')[0]).toBe(link);
    expect(existsSync(new URL(`../../${link.split('=')[1]}`, import.meta.url))).toBe(true);
  });

  it('loads, with the environment variables it references set', async () => {
    const home = await newDir();
    const text = await readFile(example, 'utf8');
    // Every {env: NAME} the example references gets a distinct made-up value (one token per connector).
    const names = [...text.matchAll(/\{env: ([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
    const env: Record<string, string> = { HOME: home };
    // Made-up values; where a connector checks a credential's shape (checkSecrets), a made-up value of that shape.
    const shaped: Record<string, string> = {
      SLACK_APP_TOKEN: 'xapp-1-A0000000000-0000000000000-0123456789abcdef',
      SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000-exampleexampleexample',
    };
    for (const name of names) env[name] = shaped[name] ?? `example-${name.toLowerCase()}-value`;
    const config = await loadConfig(example, { env });
    expect(Object.keys(config.connectors).length).toBeGreaterThan(0);
  });

  it('documents every option of the schema (core and every connector)', async () => {
    const text = await readFile(example, 'utf8');
    const missing = [...propertyNames(await buildJsonSchema())].filter(
      (name) => !new RegExp(`(^|[\\s{#,])${name.replace(/[$]/g, '\\$')}:`, 'm').test(text),
    );
    expect(missing, 'document these options (with a comment) in config/example.yaml').toEqual([]);
  });

  it('shows a block for every registered platform', async () => {
    const text = await readFile(example, 'utf8');
    const { registry } = await import('../../connectors/registry.js');
    for (const platform of Object.keys(registry)) expect(text).toMatch(new RegExp(`^\\s+platform: ${platform}$`, 'm'));
  });
});
