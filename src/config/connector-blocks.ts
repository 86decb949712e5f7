/**
 * Checks on each block under `connectors:` that the union schema cannot phrase well: an unknown or
 * missing `platform` (named with the known platforms), and each connector's own `check()`.
 */
import type { ConnectorConfig, ConnectorSchemaModule } from '../registry-types.js';
import { describeValue, didYouMean, isUnder, type Finding } from './problem.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The connector blocks of raw config data, in file order (empty if `connectors` is not a mapping). */
export function connectorBlocks(data: unknown): [string, unknown][] {
  const connectors = isRecord(data) ? data.connectors : undefined;
  return isRecord(connectors) ? Object.entries(connectors) : [];
}

/**
 * Blocks whose `platform` is missing or not registered: a finding each, and their names so that the
 * schema's less helpful union errors for them can be dropped.
 */
export function platformFindings(data: unknown, known: readonly string[]): { findings: Finding[]; names: Set<string> } {
  const findings: Finding[] = [];
  const names = new Set<string>();
  const allowed = `(allowed: ${known.length === 1 ? known[0] : `one of ${known.join(', ')}`})`;
  for (const [name, block] of connectorBlocks(data)) {
    if (!isRecord(block)) continue; // the schema says what a block must be
    const platform = block.platform;
    if (platform === undefined || platform === null) {
      findings.push({ path: ['connectors', name], at: 'key', text: `missing key "platform": say which platform this connector is for ${allowed}` });
      names.add(name);
    } else if (typeof platform !== 'string') {
      findings.push({ path: ['connectors', name, 'platform'], at: 'value', text: `got ${describeValue(platform)} ${allowed}` });
      names.add(name);
    } else if (!known.includes(platform)) {
      const guess = didYouMean(platform, known);
      const hint = guess ? `; did you mean ${JSON.stringify(guess)}?` : '';
      findings.push({ path: ['connectors', name, 'platform'], at: 'value', text: `unknown platform ${describeValue(platform, { showText: true })}${hint} ${allowed}` });
      names.add(name);
    }
  }
  return { findings, names };
}

/**
 * Where a connector's check message belongs: a message that starts with a key path of the block
 * (`webhook.bind must be ...`, `url: remove ...`) is placed at that key, the path taken off its text;
 * any other message at the block's name.
 */
export function placeCheckMessage(name: string, block: unknown, text: string): Finding {
  const m = /^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)(?::\s*|\s+)(.+)$/s.exec(text);
  if (m) {
    const keys = m[1]!.split('.');
    let here: unknown = block;
    for (const key of keys) here = isRecord(here) ? here[key] : undefined;
    if (here !== undefined) return { path: ['connectors', name, ...keys], at: 'key', text: m[2]! };
  }
  return { path: ['connectors', name], at: 'key', text };
}

/**
 * Each valid block's own `check()`: its strings become findings at the key they name (else the block's). Blocks with a
 * finding already are skipped (their config is not valid yet). `check` sees secret references
 * unresolved; it validates shape and policy, not credentials.
 */
export function connectorCheckFindings(
  data: unknown,
  modules: ReadonlyMap<string, ConnectorSchemaModule>,
  existing: readonly Finding[],
): Finding[] {
  const findings: Finding[] = [];
  for (const [name, block] of connectorBlocks(data)) {
    const path = ['connectors', name];
    if (!isRecord(block) || existing.some((f) => isUnder(f.path, path))) continue;
    const mod = modules.get(String(block.platform));
    if (!mod?.check) continue;
    const parsed = mod.schema.safeParse(block);
    if (!parsed.success) continue;
    let messages: string[];
    try {
      messages = mod.check(parsed.data as ConnectorConfig);
    } catch (err) {
      messages = [`the ${String(block.platform)} connector's check failed: ${err instanceof Error ? err.message : String(err)}`];
    }
    for (const text of messages) findings.push(placeCheckMessage(name, block, text));
  }
  return findings;
}

/**
 * Each valid block's own `checkSecrets()`, on the config with secrets resolved (`Secret` objects):
 * credential shapes that only the resolved value shows. Skips blocks that already have a finding.
 */
export function connectorSecretFindings(
  resolved: unknown,
  modules: ReadonlyMap<string, ConnectorSchemaModule>,
  existing: readonly Finding[],
): Finding[] {
  const findings: Finding[] = [];
  for (const [name, block] of connectorBlocks(resolved)) {
    const path = ['connectors', name];
    if (!isRecord(block) || existing.some((f) => isUnder(f.path, path) || isUnder(path, f.path))) continue;
    const mod = modules.get(String(block.platform));
    if (!mod?.checkSecrets) continue;
    let messages: string[];
    try {
      messages = mod.checkSecrets(block as ConnectorConfig);
    } catch (err) {
      messages = [`the ${String(block.platform)} connector's secret check failed: ${err instanceof Error ? err.message : String(err)}`];
    }
    for (const text of messages) findings.push(placeCheckMessage(name, block, text));
  }
  return findings;
}
