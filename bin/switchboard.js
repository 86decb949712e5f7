#!/usr/bin/env node
// The CLI entry. The TypeScript sources compile to dist/ on `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('switchboard: dist/ is missing; run `npm install` (or `npm run build`) in the project first\n');
  process.exit(2);
}
await import(entry.href);
