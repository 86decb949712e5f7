/**
 * Buttons end to end: a `buttons` command posts interactive actions whose context carries a signed
 * token; the emulator clicks like Mattermost (POST to the integration URL); the hardened listener
 * hands the click to the connector, which verifies the token and journals one action event. Forged,
 * expired and wrong-user tokens are refused (403, nothing journaled) and counted; the key and the
 * endpoint id survive a restart, so a button posted before it still works after it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKey } from '../../src/security/key-file.js';
import { signIntent } from '../../src/security/intent-token.js';
import { startHarness, type Harness } from './harness.js';
import { freePort } from '../helpers/ports.js';

describe('mattermost buttons', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function withButtons(bind = '127.0.0.1:0') {
    h = await startHarness({ config: { callbacks: { bind }, button_ttl: '24h' } });
    await h.connector.start(h.ctx, h.abort.signal);
    const { world } = h.emulator;
    const sent = await h.connector.send({
      type: 'buttons', connector: 'mm', conversation: world.channels.dm.id, text: 'Deploy?',
      buttons: [{ id: 'deploy-yes', label: 'Yes', value: 'prod', style: 'primary' }, { id: 'deploy-no', label: 'No' }],
      allowedUsers: [world.alice.id],
    });
    const post = h.emulator.botPosts().at(-1)!;
    expect(post.id).toBe(sent.messageIds[0]);
    const actions = (post.props!.attachments as { actions: { id: string; integration: { url: string; context: { token: string } } }[] }[])[0]!.actions;
    return { h, world, post, actions };
  }

  it('reports the callback listener, and posts alphanumeric action ids with a signed token each', async () => {
    const { h, actions } = await withButtons();
    const [listener] = h.connector.listeners();
    expect(listener).toMatchObject({ exposure: 'loopback', verification: 'token' });
    expect(listener!.bind).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(listener!.bind).not.toBe('127.0.0.1:0');
    expect(actions.map((a) => a.id)).toEqual(['deployyes', 'deployno']);
    expect(actions[0]!.integration.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/whk_[0-9a-f]{32}$/);
    expect(actions[0]!.integration.context.token).toMatch(/^v1\./);
    expect(actions[0]!.integration.context.token).not.toBe(actions[1]!.integration.context.token);
  });

  it('a valid click becomes one action event, journaled before the answer', async () => {
    const { h, world, post } = await withButtons();
    const answer = await h.emulator.clickButton(post.id, 'deployyes', world.alice);
    expect(answer).toEqual({ status: 200, body: {} });
    const actions = h.drafts.filter((d) => d.kind === 'action');
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      kind: 'action', messageId: post.id, action: { id: 'deploy-yes', value: 'prod' },
      conversation: { id: world.channels.dm.id, kind: 'dm' }, sender: { id: world.alice.id, username: 'alice' },
      provenance: { transport: 'webhook', verified: 'token' },
    });
    expect(h.connector.listeners()[0]!.counters).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it('refuses a click by a user the buttons were not issued to, and counts it', async () => {
    const { h, world, post } = await withButtons();
    const answer = await h.emulator.clickButton(post.id, 'deployno', world.bob);
    expect(answer.status).toBe(403);
    expect(JSON.stringify(answer.body)).not.toMatch(/user|allowed|token/);
    expect(h.drafts.filter((d) => d.kind === 'action')).toEqual([]);
    expect(h.rejected).toEqual(['user-not-allowed']);
    expect(h.connector.listeners()[0]!.counters!.rejectedBy).toMatchObject({ 'user-not-allowed': 1 });
  });

  it('refuses a forged token and an expired one, and counts each', async () => {
    const { h, world, post, actions } = await withButtons();
    const url = actions[0]!.integration.url;
    const click = (token: string) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: world.alice.id, channel_id: world.channels.dm.id, post_id: post.id, trigger_id: 't1', context: { token } }) });
    const real = actions[0]!.integration.context.token;
    const [v, body, sig] = real.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, u: [] })).toString('base64url');
    expect((await click(`${v}.${widened}.${sig}`)).status).toBe(403);
    const key = await loadOrCreateKey(join(h.stateDir, 'mattermost', 'mm.key'));
    const expired = signIntent(key, { intentId: 'x', actionId: 'deploy-yes', issuedAt: 0, expiresAt: Date.now() - 1, allowedUsers: [world.alice.id] });
    expect((await click(expired)).status).toBe(403);
    expect(h.rejected).toEqual(['bad-token', 'expired']);
    expect(h.drafts.filter((d) => d.kind === 'action')).toEqual([]);
    // The genuine token still works, and the same request sent twice is one event.
    expect((await click(real)).status).toBe(200);
    expect((await click(real)).status).toBe(200);
    expect(h.drafts.filter((d) => d.kind === 'action')).toHaveLength(1);
  });

  it('a button posted before a restart still verifies after it (same key, same endpoint)', async () => {
    // A fixed port, as a real config has: the URL in the posted button must still reach the listener.
    const { h, world, post } = await withButtons(`127.0.0.1:${await freePort()}`);
    await h.restart();
    const answer = await h.emulator.clickButton(post.id, 'deployyes', world.alice);
    expect(answer.status).toBe(200);
    expect(h.drafts.filter((d) => d.kind === 'action')).toHaveLength(1);
  });

  it('refuses a buttons command when no callbacks listener is configured', async () => {
    h = await startHarness();
    await h.connector.start(h.ctx, h.abort.signal);
    await expect(
      h.connector.send({ type: 'buttons', connector: 'mm', conversation: h.emulator.world.channels.dm.id, text: 'x', buttons: [{ id: 'a', label: 'A' }] }),
    ).rejects.toThrow(/callbacks/);
    expect(h.connector.listeners()).toEqual([]);
  });
});
