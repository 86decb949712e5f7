/**
 * `npm run schema` (after `npm run build`): regenerate `config/switchboard.schema.json` from the zod
 * schemas. Run it whenever a config option changes; `test/config/json-schema.test.ts` fails until then.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from './json-schema.js';

/** The package root: the nearest ancestor holding package.json (works from src/ and from dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('write-json-schema: no package.json above this file; run it inside the project');
    dir = parent;
  }
  return dir;
}

const target = join(packageRoot(), 'config', 'switchboard.schema.json');
await writeFile(target, await renderJsonSchema());
process.stdout.write(`wrote ${target}\n`);
