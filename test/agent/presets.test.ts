/**
 * The codex and claude presets: their invocations, reading their JSON lines, and resuming a
 * conversation's session on the follow-up (kept in the state directory) — with fake `codex` and
 * `claude` programs on PATH that print what the real CLIs print.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { claudeReader, presetArgv, readCodexLine } from '../../src/agent/presets.js';
import { SESSIONS_FILE } from '../../src/agent/sessions.js';
import { makeTempDir } from '../helpers/tmp.js';
import { fakeAgent, startRunner, textOf, type RunnerHarness } from './runner-harness.js';

let h: RunnerHarness | undefined;
const bins = makeTempDir('sb-bin-');
afterAll(() => bins.cleanup());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Put a fake CLI named `name` (running fixture `script`) in a bin dir; returns the PATH to use. */
function install(name: string, script: string): string {
  const file = join(bins.dir, name);
  writeFileSync(file, `#!${process.execPath}\n${readFileSync(fakeAgent(script), 'utf8')}`);
  chmodSync(file, 0o755);
  return `${bins.dir}:${process.env.PATH}`;
}

describe('preset invocations', () => {
  it('codex: exec --json, resume ID for a follow-up, the prompt after --', () => {
    expect(presetArgv('codex', ['--full-auto'], undefined)).toEqual(['codex', 'exec', '--json', '--full-auto', '--', '{text}']);
    expect(presetArgv('codex', [], 'th-1')).toEqual(['codex', 'exec', '--json', 'resume', 'th-1', '--', '{text}']);
  });

  it('claude: -p with stream-json and --verbose, --resume ID for a follow-up', () => {
    expect(presetArgv('claude', [], undefined)).toEqual(['claude', '-p', '--output-format', 'stream-json', '--verbose', '--', '{text}']);
    expect(presetArgv('claude', ['--model', 'sonnet'], 's-1')).toEqual(['claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', 'sonnet', '--resume', 's-1', '--', '{text}']);
  });

  it('reads the session id and the answer text from their lines, ignoring the rest', () => {
    expect(readCodexLine('{"type":"thread.started","thread_id":"th-9"}')).toEqual({ session: 'th-9' });
    expect(readCodexLine('{"type":"item.completed","item":{"type":"agent_message","text":"hi"}}')).toEqual({ text: 'hi' });
    expect(readCodexLine('{"type":"item.completed","item":{"type":"command_execution","command":"ls"}}')).toEqual({});
    expect(readCodexLine('not json')).toEqual({});
    const read = claudeReader();
    expect(read('{"type":"system","subtype":"init","session_id":"s-9"}')).toEqual({ session: 's-9' });
    expect(read('{"type":"assistant","session_id":"s-9","message":{"content":[{"type":"tool_use"},{"type":"text","text":"done"}]}}')).toEqual({ session: 's-9', text: 'done' });
    expect(read('{"type":"result","result":"done","session_id":"s-9"}')).toEqual({ session: 's-9' });
    expect(claudeReader()('{"type":"result","is_error":true,"result":"Credit balance is too low","session_id":"s-9"}')).toEqual({ session: 's-9', text: 'Credit balance is too low' });
  });
});

describe('preset runs resume the conversation', () => {
  for (const [preset, script, first, second] of [
    ['codex', 'fake-codex', 'codex heard "hello"', 'codex heard "and then?" in th-0199a213-81c0-7800-8aa1-bbab2a035a53'],
    ['claude', 'fake-claude', 'claude heard "hello"', 'claude heard "and then?" in 8f9d1c2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f'],
  ] as const) {
    it(`${preset}: shows the answer text, and the follow-up resumes the session it printed`, async () => {
      h = startRunner({ preset }, { env: { PATH: install(preset, script), HOME: bins.dir } });
      await h.say('hello');
      await h.waitFor('the first answer', () => h!.shown().length === 1);
      await h.waitFor('the run to finish', () => h!.logs.some((l) => l.msg === 'agent run finished'));
      await h.say('and then?');
      await h.waitFor('the second answer', () => h!.shown().length === 2);
      expect(h.shown().map(textOf)).toEqual([first, second]);
      const file = join(h.dir, 'state', SESSIONS_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))['tg\u0000chat-1']).toMatchObject({ preset });
    });
  }
});
