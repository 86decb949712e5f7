import { fakeAppCredentials, startFeishuEmulator } from '../../connectors/feishu/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

runConnectorContract({
  platform: 'feishu',
  setup: async () => {
    const creds = fakeAppCredentials();
    const emulator = await startFeishuEmulator(creds);
    return {
      block: { platform: 'feishu', enabled: true, app_id: creds.appId, app_secret: new Secret(creds.appSecret, 'test'), domain: emulator.domain },
      platform: {
        conversationId: emulator.chatId,
        injectMessage: (text) => void emulator.injectMessage(text),
        sentTexts: () => emulator.sent.filter((r) => r.call === 'create' || r.call === 'reply').map((r) => r.text),
        // Lark's acknowledgement is the frame ack: an event is "unacked" until a frame acks it with code 200.
        unacked: () => emulator.unacked(),
        dropConnection: () => void emulator.dropConnection(),
        close: () => emulator.close(),
      },
    };
  },
});
