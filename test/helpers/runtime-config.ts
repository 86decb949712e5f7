/**
 * The one config writer behind the per-platform test helpers: a runtime with one connector, its
 * secrets in 0600 files referenced as `{file}` (never inline), an explicit access block, debug logs and
 * a short shutdown timeout.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { OPEN_ACCESS, type AccessBlock } from './access.js';

export interface ConnectorSpec {
  /** The connector's name (its key under `connectors:`). */
  name: string;
  platform: string;
  /** Config key → secret value; each is written to its own 0600 file. */
  secrets: Record<string, string>;
  /** The block's other keys, as they appear in YAML. */
  fields?: Record<string, unknown>;
  /** Defaults to OPEN_ACCESS (spelled out: `open` is never a default). */
  access?: AccessBlock;
}

export interface RuntimeConfigOptions {
  /** Base name of the YAML and secret files (default `switchboard`), for several configs in one dir. */
  file?: string;
  level?: string;
  /** Raw YAML appended after the connectors (e.g. an `agent:` block). */
  extra?: string;
}

/** Write `<dir>/<file>.yaml` (state in `<dir>/state`) and its secret files; returns the YAML path. */
export function writeRuntimeConfig(dir: string, connector: ConnectorSpec, options: RuntimeConfigOptions = {}): string {
  const base = options.file ?? 'switchboard';
  const secrets: Record<string, { file: string }> = {};
  for (const [key, value] of Object.entries(connector.secrets)) {
    const path = join(dir, `${base}.${connector.name}.${key}`);
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
    secrets[key] = { file: path };
  }
  const config = {
    state_dir: join(dir, 'state'),
    log: { level: options.level ?? 'debug' },
    shutdown: { timeout: '5s' },
    connectors: {
      [connector.name]: { platform: connector.platform, ...secrets, ...connector.fields, access: connector.access ?? OPEN_ACCESS },
    },
  };
  const file = join(dir, `${base}.yaml`);
  writeFileSync(file, stringify(config) + (options.extra ? `${options.extra}\n` : ''));
  return file;
}
