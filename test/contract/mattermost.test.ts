import { fakeMattermostToken, startMattermostEmulator } from '../../connectors/mattermost/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

runConnectorContract({
  platform: 'mattermost',
  setup: async () => {
    const token = fakeMattermostToken();
    const emulator = await startMattermostEmulator({ token });
    return {
      // With button callbacks: the plan declares their listener, and the live connector must open just that.
      block: { platform: 'mattermost', enabled: true, url: emulator.url, token: new Secret(token, 'test'), callbacks: { bind: '127.0.0.1:0' } },
      platform: {
        conversationId: emulator.world.channels.dm.id,
        injectMessage: (text) => void emulator.injectPost(text),
        sentTexts: () => emulator.botPosts().map((p) => p.message),
        // Mattermost's acknowledgement of a post is `posted_notify_ack`, sent once it is journaled.
        unacked: () => emulator.unacked(),
        dropConnection: () => void emulator.dropConnections(),
        close: () => emulator.close(),
      },
    };
  },
});
