import { startTelegramEmulator, fakeBotToken } from '../../connectors/telegram/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

const CHAT = 1001;

runConnectorContract({
  platform: 'telegram',
  setup: async () => {
    const token = fakeBotToken();
    const emulator = await startTelegramEmulator({ token });
    return {
      block: { platform: 'telegram', enabled: true, token: new Secret(token, 'test'), api_root: emulator.apiRoot, polling: { timeout: 5, limit: 100 } },
      platform: {
        conversationId: String(CHAT),
        injectMessage: (text) => void emulator.injectMessage(text, { from: { id: CHAT } }),
        sentTexts: () => emulator.sent.filter((r) => r.method === 'sendMessage').map((r) => r.text ?? ''),
        // Telegram's acknowledgement is the getUpdates offset: an update is "unacked" until confirmed.
        unacked: () => emulator.pending(),
        dropConnection: () => void emulator.dropConnections(),
        close: () => emulator.close(),
      },
    };
  },
});
