/** Config errors name the place and the fix, and never echo what may be the secret itself. */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { problemsOf, tempDirs } from './helpers.js';

const newDir = tempDirs();
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = '8f3a2c1d9e7b6a5f4c3d2e1f0a9b8c7d';

describe('config errors and secrets', () => {
  it('a token written where the variable name belongs is not echoed', async () => {
    const dir = await newDir();
    const text = `state_dir: ${dir}/state\nconnectors:\n  tg:\n    platform: telegram\n    token: {env: "${TOKEN}"}\n`;
    const problems = await problemsOf(loadConfigText(text, 'sb.yaml', { env: {} }));
    expect(problems).toEqual([expect.stringMatching(/^sb\.yaml:5:\d+: connectors\.tg\.token\.env: got a value that is not an environment variable name .*write \{env: NAME\}/)]);
    expect(problems.join('\n')).not.toContain(TOKEN.split(':')[1]);
  });

  it('a secret written where the file path belongs is not echoed; a real path is', async () => {
    const dir = await newDir();
    const text = (file: string) => `state_dir: ${dir}/state\nconnectors:\n  ln:\n    platform: line\n    channel_secret: {file: "${file}"}\n    access_token: {file: "${dir}/missing-token"}\n    webhook: {bind: "127.0.0.1:0", public_url: "https://sb.example.com"}\n`;
    const problems = await problemsOf(loadConfigText(text(SECRET), 'sb.yaml', { env: {} }));
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems).toContainEqual(expect.stringMatching(/connectors\.ln\.channel_secret: secret file does not exist \(the value of \{file\} is not shown/));
    expect(problems).toContainEqual(expect.stringContaining(`secret file ${dir}/missing-token does not exist`));
  });

  it('a token shape in any problem line is masked like in the log', async () => {
    const dir = await newDir();
    const text = `state_dir: ${dir}/state\nconnectors:\n  tg:\n    platform: telegram\n    token: {file: "/nonexistent/${TOKEN}"}\n`;
    const problems = await problemsOf(loadConfigText(text, 'sb.yaml', { env: {} }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain(TOKEN.split(':')[1]);
  });

  it('a duration written as a number is told what a duration looks like', async () => {
    const dir = await newDir();
    const problems = await problemsOf(loadConfigText(`state_dir: ${dir}/state\nshutdown: {timeout: 10}\nconnectors: {}\n`, 'sb.yaml', { env: {} }));
    expect(problems).toEqual([expect.stringMatching(/^sb\.yaml:2:\d+: shutdown\.timeout: got the number 10 \(allowed: a duration such as 500ms, 10s, 5m, 1h or 7d\)/)]);
  });
});
