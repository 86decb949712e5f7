/** The `agent:` config block: defaults, normalization, and the mistakes it refuses. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { problemsOf, tempDirs } from '../config/helpers.js';

const dirs = tempDirs();

/** A config dir with a `work` folder and a `bin` folder on PATH holding fake `claude`, `codex` and `my-agent`. */
async function load(agentYaml: string, options: { path?: string } = {}) {
  const dir = await dirs();
  mkdirSync(join(dir, 'work'));
  mkdirSync(join(dir, 'bin'));
  for (const name of ['claude', 'codex', 'my-agent']) {
    writeFileSync(join(dir, 'bin', name), '#!/bin/sh\n');
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  const text = `state_dir: ${join(dir, 'state')}\n${agentYaml}\nconnectors: {}\n`;
  return { dir, promise: loadConfigText(text, join(dir, 'sb.yaml'), { env: { HOME: dir, PATH: options.path ?? join(dir, 'bin') } }) };
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

  it('refuses a working directory that does not exist and a program that cannot be found, naming the fix', async () => {
    const cwd = await problemsOf((await load('agent: {preset: claude, cwd: nowhere}')).promise);
    expect(cwd).toEqual([expect.stringMatching(/agent\.cwd: working directory .*nowhere does not exist or is not a directory; create it or fix the path/)]);
    const preset = await problemsOf((await load('agent: {preset: codex}', { path: '/nonexistent' })).promise);
    expect(preset).toEqual([expect.stringMatching(/agent\.preset: program "codex" is not on PATH; install Codex CLI \(npm install -g @openai\/codex\), or give its full path with agent\.command/)]);
    const command = await problemsOf((await load('agent: {command: [./missing-agent, "{text}"], cwd: work}')).promise);
    expect(command).toEqual([expect.stringMatching(/agent\.command\[0\]: program .*work\/missing-agent is not an executable file/)]);
  });
});
