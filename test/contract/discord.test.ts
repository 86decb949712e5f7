/**
 * The shared contract suite against the Discord connector, the real discord.js, and the emulator.
 *
 * `unacked()`: Discord has no per-event ack. What stands for one is the sequence number a RESUME
 * would start from — the Gateway replays every dispatch after it. The connector pins that number to
 * the last *journaled* dispatch (not the last received), persists it, and discord.js reports it in
 * every heartbeat; the emulator counts the dispatches beyond the sequence last heartbeated. So
 * "unacked" = what a resume right now would replay. While the journal holds an event back, the
 * heartbeats keep naming the sequence before it (the journal-before-ack test sees 1); once journaled,
 * the next heartbeat names it (0). The emulator heartbeats every 100 ms here, so that is quick.
 */
import { startDiscordEmulator } from '../../connectors/discord/emulator.js';
import { Secret } from '../../src/config/secret.js';
import { runConnectorContract } from './connector-contract.js';

runConnectorContract({
  platform: 'discord',
  setup: async () => {
    const emulator = await startDiscordEmulator({ heartbeatIntervalMs: 100 });
    return {
      block: { platform: 'discord', enabled: true, token: new Secret(emulator.token, 'test'), api_base: emulator.apiBase },
      platform: {
        conversationId: emulator.ids.general,
        injectMessage: (text) => void emulator.injectMessage(text),
        sentTexts: () => emulator.sent.filter((s) => s.kind === 'message').map((s) => s.content ?? ''),
        unacked: () => emulator.unacked(),
        dropConnection: () => emulator.dropConnections(),
        close: () => emulator.close(),
      },
    };
  },
});
