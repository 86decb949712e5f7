import { startLoopbackEmulator } from '../../connectors/loopback/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

runConnectorContract({
  platform: 'loopback',
  setup: async () => {
    const emulator = await startLoopbackEmulator({ token: 'contract-token-123' });
    return {
      block: { platform: 'loopback', enabled: true, endpoint: emulator.endpoint, token: new Secret('contract-token-123', 'test') },
      platform: {
        conversationId: 'c1',
        injectMessage: (text) => void emulator.injectMessage(text),
        sentTexts: () => emulator.sent.filter((m) => m.op === 'send').map((m) => m.text ?? ''),
        unacked: () => emulator.pending(),
        dropConnection: () => emulator.dropConnections(),
        close: () => emulator.close(),
      },
    };
  },
});
