import { DEFAULT_CHANNEL, fakeSlackTokens, startSlackEmulator } from '../../connectors/slack/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

runConnectorContract({
  platform: 'slack',
  setup: async () => {
    const tokens = fakeSlackTokens();
    // A short redelivery window: the "journal refused" case waits for Slack to send the envelope again.
    // Echo on, as Slack does: the bot's own posts come back as message events (the no-echo check).
    const emulator = await startSlackEmulator({ ...tokens, redeliverAfterMs: 500, echoBotMessages: true });
    return {
      block: { platform: 'slack', enabled: true, app_token: new Secret(tokens.appToken, 'test'), bot_token: new Secret(tokens.botToken, 'test'), api_url: emulator.apiUrl },
      platform: {
        conversationId: DEFAULT_CHANNEL,
        injectMessage: (text) => void emulator.injectMessage(text),
        sentTexts: () => emulator.sent.filter((r) => r.method === 'chat.postMessage').map((r) => r.text ?? ''),
        // Slack's acknowledgement is the envelope ack: sent or queued and not acked yet.
        unacked: () => emulator.unacked(),
        dropConnection: () => void emulator.dropConnections(),
        close: () => emulator.close(),
      },
    };
  },
});
