/**
 * Loading the config: YAML (positions kept) → platform check → zod → connector checks → secrets →
 * one-token-one-connection → state dir → a normalized, deep-frozen `LoadedConfig`. Every problem found
 * on the way is collected, and all of them are thrown together as one `ConfigError`.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { createRedactor } from '../log/redact.js';
import type { ConnectorConfig } from '../registry-types.js';
import { agentFindings } from './agent-check.js';
import { normalizeAgent } from './agent-schema.js';
import { connectorBlocks, connectorCheckFindings, connectorSecretFindings, platformFindings } from './connector-blocks.js';
import { fullConfigSchema, loadConnectorSchemas, type SchemaRegistry } from './connector-schemas.js';
import { parseDuration } from './fields.js';
import { issueFindings, markGeneric } from './issues.js';
import { expandPath } from './paths.js';
import { formatProblems, isUnder, type Finding, type KeyPath } from './problem.js';
import type { LoadedConfig, buildConfigSchema } from './schema.js';
import { duplicateSecrets, placeholderSecrets, resolveSecrets, type FoundSecret } from './secrets.js';
import { stateDirProblem } from './state-dir.js';
import { parseYamlSource } from './yaml-source.js';

export type { LoadedConfig };

/** Where a config is loaded from besides its text. */
export interface LoadOptions {
  /** Environment for `{env: NAME}` secrets and `~` (HOME). Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Connector schemas by platform. Defaults to `connectors/registry.ts`. */
  registry?: SchemaRegistry;
  /**
   * Read every secret (default). `false`: validate everything else but leave each secret reference
   * unread ({@link UnresolvedSecret}) — for commands that only talk to the runtime or read state.
   */
  resolveSecrets?: boolean;
}

type ParsedConfig = z.output<ReturnType<typeof buildConfigSchema>>;

/**
 * Read, validate and resolve the config file at `file`. Throws `ConfigError` whose `problems` are
 * one-line `FILE:LINE:COL: key.path: what is wrong (allowed: ...)` messages (a missing file included).
 */
export async function loadConfig(file: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? `${file}: config file not found; pass --config FILE (or set SWITCHBOARD_CONFIG), or copy config/example.yaml to ${file} and edit it`
        : code === 'EISDIR'
          ? `${file}: is a directory, not a config file; pass the YAML file itself`
          : `${file}: config file cannot be read (${code ?? 'error'}); make it readable by the user running switchboard`;
    throw new ConfigError([problem], { cause: err });
  }
  return loadConfigText(text, file, opts);
}

/** Validate and resolve config `text` as if read from `file` (used for positions and relative paths). */
export async function loadConfigText(text: string, file: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const absFile = resolve(file);
  const baseDir = dirname(absFile);
  const home = env.HOME || homedir();

  const { source, problems } = parseYamlSource(text);
  if (!source) throw new ConfigError(formatProblems(file, problems));
  const data = source.data;

  const modules = await loadConnectorSchemas(opts.registry);
  const schema = fullConfigSchema(modules);
  const platforms = platformFindings(data, [...modules.keys()]);
  const findings: Finding[] = [...platforms.findings];
  const parsed = schema.safeParse(data, markGeneric);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [top, name] = issue.path;
      if (top === 'connectors' && typeof name === 'string' && platforms.names.has(name)) continue;
      findings.push(...issueFindings(issue, schema, data));
    }
  }
  // A reference the schema already faulted (or in a block of unknown platform) is not resolved as well.
  const schemaFindings = [...findings];
  const skipRef = (path: KeyPath): boolean =>
    (path[0] === 'connectors' && platforms.names.has(String(path[1]))) ||
    schemaFindings.some((f) => isUnder(f.path, path) || isUnder(path, f.path));
  findings.push(...connectorCheckFindings(data, modules, findings));
  const resolving = opts.resolveSecrets !== false;
  const secrets = resolving
    ? await resolveSecrets(parsed.success ? parsed.data : data, { env, baseDir, home }, skipRef)
    : { data: await placeholderSecrets(parsed.success ? parsed.data : data), found: [], findings: [] };
  findings.push(...secrets.findings);
  findings.push(...duplicateSecrets(secrets.found, (path) => isEnabled(data, path)));
  if (parsed.success && resolving) findings.push(...connectorSecretFindings(secrets.data, modules, findings));

  const stateDir = expandPath(stateDirText(parsed.success ? parsed.data.state_dir : data), baseDir, home);
  const dirProblem = await stateDirProblem(stateDir);
  if (dirProblem) findings.push({ path: ['state_dir'], at: 'value', text: dirProblem });

  // The agent's directory and program, for the commands that will run it (run, config check).
  const agentBlock = parsed.success ? (parsed.data as ParsedConfig).agent : undefined;
  const agent = agentBlock ? normalizeAgent(agentBlock, (p) => expandPath(p, baseDir, home), baseDir) : undefined;
  if (resolving && agent) findings.push(...(await agentFindings(agent, env.PATH)));

  if (findings.length > 0 || !parsed.success) {
    const lines = formatProblems(file, findings.map((f) => source.place(f)));
    throw new ConfigError(lines.map((line) => scrub(line, secrets.found)));
  }
  const config = secrets.data as ParsedConfig;
  return deepFreeze<LoadedConfig>({
    file: absFile,
    stateDir,
    log: { level: config.log.level, ...(config.log.file ? { file: expandPath(config.log.file, baseDir, home) } : {}) },
    bus: {
      backend: config.bus.backend,
      retention: { maxAgeMs: parseDuration(config.bus.retention.max_age), maxEvents: config.bus.retention.max_events },
    },
    shutdown: { timeoutMs: parseDuration(config.shutdown.timeout) },
    ...(agent ? { agent } : {}),
    connectors: config.connectors as Record<string, ConnectorConfig>,
    secretValues: [...new Set(secrets.found.map((s) => s.secret.reveal()))],
  });
}

function stateDirText(dataOrValue: unknown): string {
  if (typeof dataOrValue === 'string') return dataOrValue;
  const written = (dataOrValue as { state_dir?: unknown } | null)?.state_dir;
  return typeof written === 'string' ? written : '~/.switchboard';
}

/** Disabled connectors do not connect, so they cannot collide with another over a token. */
function isEnabled(data: unknown, path: KeyPath): boolean {
  const block = connectorBlocks(data).find(([name]) => name === path[1])?.[1];
  return (block as { enabled?: unknown } | undefined)?.enabled !== false;
}

/** Belt and braces: no problem line may carry a resolved secret value, whatever produced it. */
/** A problem line without any resolved secret value or token-shaped string (the log's redaction). */
function scrub(line: string, found: readonly FoundSecret[]): string {
  return createRedactor(found.map(({ secret }) => secret.reveal()))(line);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
