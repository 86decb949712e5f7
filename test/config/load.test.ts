import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { registry } from '../../connectors/registry.js';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { ConfigError } from '../../src/errors.js';
import { problemsOf, tempDirs } from './helpers.js';

const newDir = tempDirs();
const env = { TOKEN_A: 'tok-aaaa-1111', TOKEN_B: 'tok-bbbb-2222' };

/** A minimal valid config around the given connector lines. */
function withConnectors(dir: string, lines: string): string {
  return `state_dir: ${join(dir, 'state')}\nconnectors:\n${lines}`;
}

describe('loadConfig: a valid file', () => {
  it('applies defaults, normalizes and resolves secrets', async () => {
    const dir = await newDir();
    const text = withConnectors(dir, '  loop:\n    platform: loopback\n    endpoint: 127.0.0.1:7711\n    token: {env: TOKEN_A}\n');
    const config = await loadConfigText(text, join(dir, 'sb.yaml'), { env });
    expect(config.file).toBe(join(dir, 'sb.yaml'));
    expect(config.stateDir).toBe(join(dir, 'state'));
    expect(config.log).toEqual({ level: 'info' });
    expect(config.bus).toEqual({ backend: 'sqlite', retention: { maxAgeMs: 7 * 86_400_000, maxEvents: 1_000_000 } });
    expect(config.shutdown).toEqual({ timeoutMs: 10_000 });
    const loop = config.connectors.loop!;
    expect(loop).toMatchObject({ platform: 'loopback', enabled: true, endpoint: '127.0.0.1:7711' });
    expect(loop.token).toBeInstanceOf(Secret);
    expect((loop.token as Secret).reveal()).toBe('tok-aaaa-1111');
    expect((loop.token as Secret).source).toBe('env:TOKEN_A');
    expect(config.secretValues).toEqual(['tok-aaaa-1111']);
  });

  it('is deeply frozen', async () => {
    const dir = await newDir();
    const text = withConnectors(dir, '  loop: {platform: loopback, endpoint: "h:1", token: {env: TOKEN_A}}\n');
    const config = await loadConfigText(text, join(dir, 'sb.yaml'), { env });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.bus.retention)).toBe(true);
    expect(Object.isFrozen(config.connectors.loop)).toBe(true);
    expect(() => {
      (config.connectors.loop as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
  });

  it('expands ~ and resolves relative paths against the config file directory', async () => {
    const dir = await newDir();
    const base = 'connectors: {}\nlog: {file: logs/sb.log}\n';
    const home = await loadConfigText(`state_dir: ~/sb-state\n${base}`, join(dir, 'sb.yaml'), { env: { HOME: dir } });
    expect(home.stateDir).toBe(join(dir, 'sb-state'));
    expect(home.log.file).toBe(join(dir, 'logs/sb.log'));
    const rel = await loadConfigText(`state_dir: ./state\n${base}`, join(dir, 'sb.yaml'), { env: { HOME: '/nonexistent' } });
    expect(rel.stateDir).toBe(join(dir, 'state'));
  });

  it('parses durations', async () => {
    const dir = await newDir();
    const text = `state_dir: ${dir}\nbus: {retention: {max_age: 90m}}\nshutdown: {timeout: 1.5s}\nconnectors: {}\n`;
    const config = await loadConfigText(text, join(dir, 'sb.yaml'), { env });
    expect(config.bus.retention).toEqual({ maxAgeMs: 5_400_000, maxEvents: 1_000_000 });
    expect(config.shutdown.timeoutMs).toBe(1500);
  });
});

describe('loadConfig: problems name file:line:col, the key path and what is allowed', () => {
  it('a nested wrong type', async () => {
    const dir = await newDir();
    const text = `state_dir: ${dir}\nbus:\n  retention:\n    max_events: lots\nconnectors: {}\n`;
    expect(await problemsOf(loadConfigText(text, 'sb.yaml', { env }))).toEqual([
      'sb.yaml:4:17: bus.retention.max_events: got a string (allowed: a number)',
    ]);
  });

  it('an unknown key, pointing at the key, with a did-you-mean hint', async () => {
    const dir = await newDir();
    const text = withConnectors(dir, '  loop:\n    platform: loopback\n    endpoint: "h:1"\n    token: {env: TOKEN_A}\n    tokne: x\n');
    expect(await problemsOf(loadConfigText(text, 'sb.yaml', { env }))).toEqual([
      'sb.yaml:7:5: connectors.loop.tokne: unknown key; did you mean "token"? (allowed: platform, enabled, access, endpoint, token)',
    ]);
  });

  it('a missing required key, at the block that lacks it', async () => {
    const dir = await newDir();
    const text = withConnectors(dir, '  loop:\n    platform: loopback\n    token: {env: TOKEN_A}\n');
    expect(await problemsOf(loadConfigText(text, 'sb.yaml', { env }))).toEqual([
      'sb.yaml:3:3: connectors.loop.endpoint: required key is missing (allowed: a string)',
    ]);
  });

  it('a wrong enum value and an unknown top-level key, all reported at once', async () => {
    const dir = await newDir();
    const text = `state_dir: ${dir}\nlog: {level: loud}\nconectors: {}\n`;
    const problems = await problemsOf(loadConfigText(text, 'sb.yaml', { env }));
    expect(problems).toEqual([
      'sb.yaml:1:1: connectors: required key is missing (allowed: a mapping)',
      'sb.yaml:2:14: log.level: got "loud" (allowed: one of "fatal", "error", "warn", "info", "debug", "trace", "silent")',
      'sb.yaml:3:1: conectors: unknown key; did you mean "connectors"? (allowed: $schema, state_dir, log, bus, shutdown, agent, connectors)',
    ]);
  });

  it('malformed YAML', async () => {
    const problems = await problemsOf(loadConfigText('connectors:\n  loop: {platform: loopback\n', 'sb.yaml', { env }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^sb\.yaml:\d+:\d+: invalid YAML: .+/);
  });

  it('a duplicate key', async () => {
    const problems = await problemsOf(loadConfigText('connectors: {}\nlog: {}\nlog: {}\n', 'sb.yaml', { env }));
    expect(problems).toEqual(['sb.yaml:3:1: duplicate key "log": a key may appear once in a mapping; remove or merge one of them']);
  });

  it('an unknown platform, listing the known ones', async () => {
    const dir = await newDir();
    const text = withConnectors(dir, '  tg: {platform: zzqqx, token: {env: TOKEN_A}}\n  x: {endpoint: "h:1"}\n  y: {platform: loopbak}\n');
    const known = `one of ${Object.keys(registry).join(', ')}`;
    expect(await problemsOf(loadConfigText(text, 'sb.yaml', { env }))).toEqual([
      `sb.yaml:3:18: connectors.tg.platform: unknown platform "zzqqx" (allowed: ${known})`,
      `sb.yaml:4:3: connectors.x: missing key "platform": say which platform this connector is for (allowed: ${known})`,
      `sb.yaml:5:17: connectors.y.platform: unknown platform "loopbak"; did you mean "loopback"? (allowed: ${known})`,
    ]);
  });

  it('an invalid connector name', async () => {
    const dir = await newDir();
    const text = withConnectors(dir, '  Loop: {platform: loopback, endpoint: "h:1", token: {env: TOKEN_A}}\n');
    expect(await problemsOf(loadConfigText(text, 'sb.yaml', { env }))).toEqual([
      'sb.yaml:3:3: connectors.Loop: invalid name "Loop" (allowed: a name of lowercase letters, digits, - and _)',
    ]);
  });

  it('a missing file names the path and the ways to give one', async () => {
    const dir = await newDir();
    const missing = join(dir, 'nope.yaml');
    const problems = await problemsOf(loadConfig(missing, { env }));
    expect(problems).toEqual([expect.stringContaining(`${missing}: config file not found; pass --config FILE`)]);
    expect(problems[0]).toContain('config/example.yaml');
  });

  it('runs a connector check() and places each finding at the key it names, else at the block', async () => {
    const dir = await newDir();
    const { schema, describe: plan } = await import('../../connectors/loopback/schema.js');
    const registry = {
      loopback: { schema: async () => ({ schema, describe: plan, check: () => ['endpoint must be on loopback; use 127.0.0.1', 'these two settings disagree'] }) },
    };
    const text = withConnectors(dir, '  loop: {platform: loopback, endpoint: "10.0.0.1:1", token: {env: TOKEN_A}}\n');
    const err = await loadConfigText(text, 'sb.yaml', { env, registry }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'sb.yaml:3:3: connectors.loop: these two settings disagree',
      'sb.yaml:3:30: connectors.loop.endpoint: must be on loopback; use 127.0.0.1',
    ]);
  });
});
