import { startLineEmulator } from '../../connectors/line/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

const USER = 'U0c0ffee0c0ffee0c0ffee0c0ffee0c0f';
const PUBLIC_URL = 'https://line-hooks.example.test';

runConnectorContract({
  platform: 'line',
  setup: async () => {
    const emulator = await startLineEmulator({ redeliveryDelayMs: 50 });
    return {
      block: {
        platform: 'line',
        enabled: true,
        channel_secret: new Secret(emulator.channelSecret, 'test'),
        access_token: new Secret(emulator.accessToken, 'test'),
        api_base: emulator.apiBase,
        webhook: { bind: '127.0.0.1:0', public_url: PUBLIC_URL },
      },
      platform: {
        conversationId: USER,
        injectMessage: (text) => void emulator.injectText(text, { source: { type: 'user', userId: USER } }),
        sentTexts: () => emulator.texts(),
        // LINE's acknowledgement is the HTTP answer to the delivery: a delivery is "unacked" until answered.
        unacked: () => emulator.unacked(),
        dropConnection: () => emulator.dropConnection(),
        // No tunnel in tests: LINE (the emulator) posts straight to the listener's loopback address.
        attach: (listeners) => emulator.setWebhookUrl(`http://${listeners[0]!.bind}${new URL(listeners[0]!.publicUrl!).pathname}`),
        close: () => emulator.close(),
      },
    };
  },
});
