/** The `agent:` config block: defaults, normalization, and the mistakes it refuses. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { problemsOf, tempDirs } from '../config/helpers.js';

const dirs = tempDirs();

async function load(agentYaml: string) {
  const dir = await dirs();
  const text = `state_dir: ${join(dir, 'state')}\n${agentYaml}\nconnectors: {}\n`;
  return { dir, promise: loadConfigText(text, join(dir, 'sb.yaml'), { env: { HOME: dir } }) };
}

describe('agent config', () => {
  it('fills defaults and resolves cwd against the config file', async () => {
    const { dir, promise } = await load('agent: {preset: claude, cwd: work, env: [ANTHROPIC_API_KEY]}');
    const config = await promise;
    expect(config.agent).toEqual({
      preset: 'claude', args: [], cwd: join(dir, 'work'), env: ['ANTHROPIC_API_KEY'],
      timeoutMs: 600_000, stopGraceMs: 5_000, queue: 'queue', editIntervalMs: 1_000,
    });
  });

  it('takes a command template; without an agent block there is no runner', async () => {
    const { dir, promise } = await load('agent: {command: [my-agent, "{text}"], timeout: 90s, queue: interrupt}');
    expect((await promise).agent).toMatchObject({ command: ['my-agent', '{text}'], cwd: dir, timeoutMs: 90_000, queue: 'interrupt' });
    expect((await (await load('')).promise).agent).toBeUndefined();
  });

  it('refuses both or neither of command and preset, an unknown preset and a bad env name', async () => {
    const both = await problemsOf((await load('agent: {command: [x], preset: codex}')).promise);
    expect(both.join('\n')).toContain('set exactly one of `command` (your own program) or `preset` (codex or claude)');
    const neither = await problemsOf((await load('agent: {timeout: 5m}')).promise);
    expect(neither.join('\n')).toContain('set exactly one of');
    const preset = await problemsOf((await load('agent: {preset: aider}')).promise);
    expect(preset.join('\n')).toMatch(/agent\.preset: got "aider" \(allowed: one of "codex", "claude"\)/);
    const env = await problemsOf((await load('agent: {preset: codex, env: ["NOT-A-NAME"]}')).promise);
    expect(env.join('\n')).toContain('agent.env[0]: got "NOT-A-NAME" (allowed: an environment variable name)');
  });
});
