import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load.js';
import type { Secret } from '../../src/config/secret.js';
import { problemsOf, put, tempDirs } from './helpers.js';

const newDir = tempDirs();
const TOKEN = 'tok-SECRET-value-0123456789';

function config(dir: string, ...tokens: string[]): string {
  const blocks = tokens.map((t, i) => `  c${i}: {platform: loopback, endpoint: "h:${i + 1}", token: ${t}}\n`);
  return `state_dir: ${join(dir, 'state')}\nconnectors:\n${blocks.join('')}`;
}

describe('secret references', () => {
  it('a missing env var names the variable and says to export it', async () => {
    const dir = await newDir();
    const problems = await problemsOf(loadConfigText(config(dir, '{env: TG_TOKEN}'), 'sb.yaml', { env: {} }));
    expect(problems).toEqual([
      'sb.yaml:3:52: connectors.c0.token: environment variable TG_TOKEN is not set; export TG_TOKEN (holding the secret) before running switchboard',
    ]);
  });

  it('an empty env var is refused', async () => {
    const dir = await newDir();
    const problems = await problemsOf(loadConfigText(config(dir, '{env: TG_TOKEN}'), 'sb.yaml', { env: { TG_TOKEN: '' } }));
    expect(problems).toEqual([expect.stringContaining('environment variable TG_TOKEN is empty')]);
  });

  it('a secret file readable by group/others is refused with the chmod fix; 600 is accepted', async () => {
    const dir = await newDir();
    const file = await put(dir, 'token', `${TOKEN}\n`, 0o644);
    const text = config(dir, '{file: token}');
    const problems = await problemsOf(loadConfigText(text, join(dir, 'sb.yaml'), { env: {} }));
    expect(problems).toEqual([
      `${join(dir, 'sb.yaml')}:3:52: connectors.c0.token: secret file ${file} is accessible by group/others (mode 644), refused; run: chmod 600 ${file}`,
    ]);
    await put(dir, 'token', `${TOKEN}\n\n`, 0o600);
    const loaded = await loadConfigText(text, join(dir, 'sb.yaml'), { env: {} });
    const secret = loaded.connectors.c0!.token as Secret;
    expect(secret.reveal()).toBe(TOKEN); // trailing newlines trimmed
    expect(secret.source).toBe(`file:${file}`);
  });

  it('a missing or empty secret file is a problem', async () => {
    const dir = await newDir();
    await put(dir, 'empty', '\n', 0o600);
    const problems = await problemsOf(loadConfigText(config(dir, '{file: nope}', '{file: ./empty}'), join(dir, 'sb.yaml'), { env: {} }));
    expect(problems).toEqual([
      expect.stringContaining(`connectors.c0.token: secret file ${join(dir, 'nope')} does not exist`),
      expect.stringContaining(`connectors.c1.token: secret file ${join(dir, 'empty')} is empty`),
    ]);
  });

  it('an inline secret string is refused with the {env}/{file} hint, and not echoed', async () => {
    const dir = await newDir();
    const problems = await problemsOf(loadConfigText(config(dir, TOKEN), 'sb.yaml', { env: {} }));
    expect(problems).toEqual([
      'sb.yaml:3:52: connectors.c0.token: got a string (allowed: a secret reference: write {env: NAME} or {file: PATH} (secrets are never written inline))',
    ]);
  });

  it('a malformed reference says which part is wrong', async () => {
    const dir = await newDir();
    const text = config(dir, '{fiel: token}', '{env: 3}', '{env: A, file: token}');
    const problems = await problemsOf(loadConfigText(text, 'sb.yaml', { env: { A: TOKEN } }));
    const allowed = '(allowed: a secret reference: write {env: NAME} or {file: PATH} (secrets are never written inline))';
    expect(problems).toEqual([
      `sb.yaml:3:52: connectors.c0.token: got a mapping with key fiel; did you mean "file"? ${allowed}`,
      'sb.yaml:4:58: connectors.c1.token.env: got the number 3 (allowed: an environment variable name)',
      `sb.yaml:5:52: connectors.c2.token: got a mapping with keys env, file ${allowed}`,
    ]);
  });

  it('two connectors on the same token: one problem naming both, without the value', async () => {
    const dir = await newDir();
    await put(dir, 'token', TOKEN, 0o600);
    const text = config(dir, '{env: A}', '{file: token}', '{env: B}');
    const problems = await problemsOf(loadConfigText(text, join(dir, 'sb.yaml'), { env: { A: TOKEN, B: 'another-token' } }));
    expect(problems).toEqual([
      `${join(dir, 'sb.yaml')}:4:52: connectors.c1.token: connectors c0 and c1 use the same secret (connectors.c0.token and connectors.c1.token); one bot token supports one connection; remove one`,
    ]);
  });

  it('a disabled connector may share a token with an enabled one', async () => {
    const dir = await newDir();
    const text = `${config(dir, '{env: A}')}  old: {platform: loopback, enabled: false, endpoint: "h:9", token: {env: A}}\n`;
    const loaded = await loadConfigText(text, 'sb.yaml', { env: { A: TOKEN } });
    expect(Object.keys(loaded.connectors)).toEqual(['c0', 'old']);
    expect(loaded.secretValues).toEqual([TOKEN]);
  });

  it('no problem message ever contains a secret value', async () => {
    const dir = await newDir();
    await put(dir, 'open', TOKEN, 0o644);
    const text =
      `state_dir: ${join(dir, 'state')}\nlog: {level: ${TOKEN}}\nconnectors:\n` +
      `  a: {platform: loopback, endpoint: "h:1", token: {env: A}}\n` +
      `  b: {platform: loopback, endpoint: "h:2", token: {env: A}, extra: {env: A}}\n` +
      `  c: {platform: loopback, endpoint: "h:3", token: {file: open}}\n` +
      `  d: {platform: loopback, endpoint: "${TOKEN}", token: ${TOKEN}}\n`;
    const problems = await problemsOf(loadConfigText(text, join(dir, 'sb.yaml'), { env: { A: TOKEN } }));
    expect(problems.length).toBeGreaterThanOrEqual(5);
    for (const line of problems) expect(line).not.toContain(TOKEN);
  });
});
