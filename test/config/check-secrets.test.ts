import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { problemsOf, tempDirs } from './helpers.js';

const newDir = tempDirs();

describe('checkSecrets: credential shapes only the resolved value shows', () => {
  it('refuses swapped Slack tokens at config check, naming the fix and never the value', async () => {
    const dir = await newDir();
    const bot = 'xoxb-1111111111-2222222222-abcdefghijklmnopqrstuvwx';
    const app = 'xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567';
    const text = `state_dir: ${dir}/state\nconnectors:\n  sl:\n    platform: slack\n    app_token: {env: SL_APP}\n    bot_token: {env: SL_BOT}\n`;
    const problems = await problemsOf(loadConfigText(text, 'sb.yaml', { env: { SL_APP: bot, SL_BOT: app } }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^sb\.yaml:5:5: connectors\.sl\.app_token: holds a bot token/);
    expect(problems[1]).toMatch(/^sb\.yaml:6:5: connectors\.sl\.bot_token: holds an app-level token/);
    for (const p of problems) expect(p).not.toMatch(/xoxb-1111|xapp-1-A0123/);
    await expect(loadConfigText(text, 'sb.yaml', { env: { SL_APP: app, SL_BOT: bot } })).resolves.toBeDefined();
  });
});
