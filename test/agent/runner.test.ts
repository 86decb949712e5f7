/**
 * The agent runner against fake agent CLIs (test/fixtures/agents): arguments never through a shell,
 * the environment allowlist, one run per conversation with follow-ups queued, /stop, timeout, crash
 * notices, streaming as a message and its edits, splitting at the platform limit, acks. An answer the
 * platform refuses: runner-delivery.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { substituteArgs } from '../../src/agent/argv.js';
import { fake, startRunner, textOf, type RunnerHarness } from './runner-harness.js';

let h: RunnerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const lastText = (r: RunnerHarness) => textOf(r.shown().at(-1)!);

describe('arguments and environment', () => {
  it('substitutes placeholders inside each argument, once, never adding or splitting arguments', () => {
    const input = { text: 'a {sender} b', conversation: 'c1', sender: 'u9' };
    expect(substituteArgs(['x', '--msg={text}', '{conversation}:{sender}', '{unknown}'], input)).toEqual(['x', '--msg=a {sender} b', 'c1:u9', '{unknown}']);
  });

  it('passes shell syntax in a message as one literal argument (no shell runs it)', async () => {
    h = startRunner({ command: fake('inspect', '{text}', 'conv={conversation}', 'from={sender}') });
    const marker = join(h.dir, 'pwned');
    const evil = `$(touch ${marker}); rm -rf "$HOME" \`touch ${marker}\` | cat > ${marker} *`;
    await h.say(evil);
    await h.waitFor('the inspect output', () => h!.shown().length > 0);
    const out = JSON.parse(lastText(h)) as { argv: string[] };
    expect(out.argv).toEqual([evil, 'conv=chat-1', 'from=u1']);
    expect(existsSync(marker)).toBe(false);
  });

  it('gives the agent only the base variables, the allowlisted ones and SWITCHBOARD_*', async () => {
    h = startRunner(
      { command: fake('inspect'), env: ['OPENAI_API_KEY'] },
      { env: { PATH: process.env.PATH, HOME: '/home/agent', OPENAI_API_KEY: 'sk-allowed', TELEGRAM_BOT_TOKEN: '123:secret', AWS_SECRET_ACCESS_KEY: 'nope' } },
    );
    const event = await h.say('env please');
    await h.waitFor('the inspect output', () => h!.shown().length > 0);
    const { env, cwd } = JSON.parse(lastText(h)) as { env: Record<string, string>; cwd: string };
    expect(env.OPENAI_API_KEY).toBe('sk-allowed');
    expect(env.HOME).toBe('/home/agent');
    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env).toMatchObject({ SWITCHBOARD_CONNECTOR: 'tg', SWITCHBOARD_CONVERSATION: 'chat-1', SWITCHBOARD_SENDER: 'u1', SWITCHBOARD_EVENT_ID: event.id });
    expect(cwd).toBe(h.dir);
  });
});

describe('runs per conversation', () => {
  it('answers a message as a reply to it, and acks it once finished', async () => {
    h = startRunner({ command: fake('echo', '{text}') });
    await h.say('hello agent', { messageId: 'm-42' });
    await h.waitFor('the answer', () => h!.shown().length > 0);
    expect(h.shown()[0]).toMatchObject({ type: 'reply', connector: 'tg', conversation: 'chat-1', replyTo: 'm-42', text: 'echo: hello agent' });
    expect(h.sent[0]?.type).toBe('typing');
    await h.waitFor('the run to finish', () => h!.logs.some((l) => l.msg === 'agent run finished'));
    expect(h.runner.stats()).toEqual({ agent: 'node', running: 0, queued: 0, finished: 1, failed: 0 });
    expect(await h.unacked()).toEqual([]);
  });

  it('queues a follow-up while a run goes on and runs it next; other conversations run meanwhile', async () => {
    h = startRunner({ command: fake('slow', '{text}', '400') });
    await h.say('first');
    await h.waitFor('first started', () => h!.shown().some((c) => textOf(c).includes('working on first')));
    await h.say('second');
    await h.waitFor('second queued', () => h!.runner.stats().queued === 1);
    expect(h.runner.stats()).toMatchObject({ running: 1, queued: 1 });
    await h.say('elsewhere', { conversation: 'chat-2' });
    await h.waitFor('second done', () => h!.shown().some((c) => textOf(c).includes('done with second')), 15_000);
    const texts = h.shown().filter((c) => c.conversation === 'chat-1').map(textOf);
    const firstDone = texts.findIndex((t) => t.includes('done with first'));
    const secondStarted = texts.findIndex((t) => t.includes('working on second'));
    expect(firstDone).toBeGreaterThanOrEqual(0);
    expect(secondStarted).toBeGreaterThan(firstDone);
    // The other conversation did not wait for chat-1's queue.
    const all = h.shown().map(textOf);
    expect(all.findIndex((t) => t.includes('working on elsewhere'))).toBeLessThan(all.findIndex((t) => t.includes('done with second')));
  });

  it('with queue: interrupt, a new message stops the run and starts the new one', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000'), queue: 'interrupt' });
    await h.say('long job');
    await h.waitFor('started', () => h!.shown().some((c) => textOf(c).includes('working on long job')));
    await h.say('new idea');
    await h.waitFor('the new run', () => h!.shown().some((c) => textOf(c).includes('working on new idea')));
    expect(h.shown().map(textOf)).toContain('Stopped for your new message.');
  });

  it('/stop ends the run with a notice, drops what was queued, and acks both', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000') });
    await h.say('forever');
    await h.waitFor('started', () => h!.shown().some((c) => textOf(c).includes('working on forever')));
    await h.say('queued one');
    await h.say('/stop');
    await h.waitFor('the stop notice', () => h!.shown().some((c) => textOf(c) === 'Stopped.'));
    await new Promise((r) => setTimeout(r, 200));
    expect(h.shown().some((c) => textOf(c).includes('queued one'))).toBe(false);
    expect(await h.unacked()).toEqual([]);
  });

  it('/stop kills an agent that ignores SIGTERM after the grace', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000', '--ignore-term'), stopGraceMs: 300 });
    await h.say('stubborn');
    await h.waitFor('started', () => h!.shown().some((c) => textOf(c).includes('working on stubborn')));
    await h.say('/stop');
    await h.waitFor('the stop notice', () => h!.shown().some((c) => textOf(c) === 'Stopped.'));
    expect(h.shown().some((c) => textOf(c).includes('ignoring SIGTERM'))).toBe(true);
  });

  it('/stop reaches a process the agent left holding its output after the agent itself exited', async () => {
    // The agent starts a child in its group that inherits stdout, then exits: the run goes on until
    // the output closes, and /stop must still end it (the group is signalled until then).
    // The helper says when the agent is gone (exited, and reaped by the runtime), then holds the output open.
    const helper = "const p = Number(process.argv.at(-1)); const t = setInterval(() => { try { process.kill(p, 0); } catch { console.log('agent gone'); clearInterval(t); } }, 20); setTimeout(() => {}, 60000);";
    const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(helper)}, String(process.pid)], { stdio: ['ignore', 'inherit', 'inherit'] }); c.unref(); console.log('left a helper running');`;
    h = startRunner({ command: [process.execPath, '-e', script] });
    await h.say('go');
    await h.waitFor('the agent to exit', () => h!.shown().some((c) => textOf(c).includes('agent gone')));
    expect(h.runner.stats()).toMatchObject({ running: 1 });
    await h.say('/stop');
    await h.waitFor('the stop notice', () => h!.shown().some((c) => textOf(c) === 'Stopped.'));
    expect(h.runner.stats()).toMatchObject({ running: 0, failed: 1, lastFailure: { outcome: 'stopped (stop)' } });
  });

  it('renews "typing…" while a run goes on, and stops renewing once it ended', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000') });
    await h.say('think hard');
    const typings = () => h!.sent.filter((c) => c.type === 'typing').length;
    await h.waitFor('typing renewed', () => typings() >= 3);
    await h.say('/stop');
    await h.waitFor('the stop notice', () => h!.shown().some((c) => textOf(c) === 'Stopped.'));
    const after = typings();
    await new Promise((r) => setTimeout(r, 350));
    expect(typings()).toBe(after);
  });

  it('/stop with nothing running says so', async () => {
    h = startRunner({ command: fake('echo', '{text}') });
    await h.say('/stop');
    await h.waitFor('the notice', () => h!.shown().length > 0);
    expect(lastText(h)).toBe('Nothing is running.');
  });

  it('a run past the timeout is stopped with a notice', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000'), timeoutMs: 300 });
    await h.say('too long');
    await h.waitFor('the timeout notice', () => h!.shown().some((c) => textOf(c).startsWith('The agent ran longer')));
    expect(h.shown().map(textOf)).toContain('The agent ran longer than 300ms and was stopped.');
    expect(await h.unacked()).toEqual([]);
  });

  it('a crash becomes a short notice in the chat and a full log entry; the runner keeps serving', async () => {
    h = startRunner({ command: fake('crash') });
    await h.say('break please');
    await h.waitFor('the notice', () => h!.shown().length > 0);
    expect(lastText(h)).toBe('The agent exited with code 2; details are in the switchboard log.');
    const entry = h.logs.find((l) => l.msg === 'agent run did not finish normally') as { outcome: { code: number; stderrTail: string } } | undefined;
    expect(entry?.outcome).toMatchObject({ kind: 'exit', code: 2 });
    expect(entry?.outcome.stderrTail).toContain('ValueError: boom');
    expect(textOf(h.shown()[0]!)).not.toContain('ValueError');
    await h.say('again');
    await h.waitFor('a second notice', () => h!.shown().length === 2);
    expect(h.runner.stats()).toMatchObject({ running: 0, queued: 0, finished: 0, failed: 2, lastFailure: { outcome: 'exited with code 2' } });
  });

  it('a program that does not exist is a notice, not a crash of the runtime', async () => {
    h = startRunner({ command: ['switchboard-no-such-agent-cli', '{text}'] });
    await h.say('hello');
    await h.waitFor('the notice', () => h!.shown().length > 0);
    expect(lastText(h)).toBe('The agent could not be started; details are in the switchboard log.');
  });

  it('a NUL byte in a message is removed from the argument; the runner keeps serving the next message', async () => {
    h = startRunner({ command: fake('inspect', '{text}', 'from={sender}') });
    await h.say('a\u0000b');
    await h.waitFor('the inspect output', () => h!.shown().length > 0);
    expect((JSON.parse(lastText(h)) as { argv: string[] }).argv).toEqual(['ab', 'from=u1']);
    await h.say('next');
    await h.waitFor('the next answer', () => h!.shown().length === 2);
    expect((JSON.parse(lastText(h)) as { argv: string[] }).argv).toEqual(['next', 'from=u1']);
    await h.waitFor('both runs to finish', () => h!.runner.stats().finished === 2);
    expect(await h.unacked()).toEqual([]);
  });

  it('an argument spawn() refuses is a notice and a log entry naming no message text; the event is acked', async () => {
    // A NUL byte in the template itself makes spawn() throw synchronously (ERR_INVALID_ARG_VALUE).
    h = startRunner({ command: fake('echo', 'bad\u0000arg', '{text}') });
    await h.say('secret words');
    await h.waitFor('the notice', () => h!.shown().length > 0);
    expect(lastText(h)).toBe('The agent could not be started; details are in the switchboard log.');
    const entry = h.logs.find((l) => l.msg === 'agent run did not finish normally') as { outcome: { kind: string; message: string } } | undefined;
    expect(entry?.outcome.kind).toBe('spawn-error');
    expect(entry?.outcome.message).toContain('ERR_INVALID_ARG_VALUE');
    expect(JSON.stringify(h.logs)).not.toContain('secret words');
    await h.say('again');
    await h.waitFor('a second notice', () => h!.shown().length === 2);
    await h.waitFor('both runs to end', () => h!.runner.stats().failed === 2);
    expect(h.runner.stats()).toMatchObject({ running: 0, queued: 0, failed: 2, lastFailure: { outcome: 'could not start' } });
    expect(await h.unacked()).toEqual([]);
  });

  it('a run that breaks inside the runner is a notice and a log entry, acked; the runner keeps serving', async () => {
    // A `send` that throws synchronously for "typing…" makes the run itself throw, before the agent starts.
    h = startRunner({ command: fake('echo', '{text}') }, { fault: (cmd) => (cmd.type === 'typing' ? 'throw' : undefined) });
    await h.say('one');
    await h.say('two', { conversation: 'chat-2' });
    await h.waitFor('two notices', () => h!.shown().length === 2);
    expect(h.shown().map(textOf)).toEqual(['The agent run failed; details are in the switchboard log.', 'The agent run failed; details are in the switchboard log.']);
    expect(h.logs.filter((l) => l.msg === 'agent run failed in the runner')).toHaveLength(2);
    await h.waitFor('both runs to end', () => h!.runner.stats().failed === 2 && h!.runner.stats().running === 0);
    expect(h.runner.stats()).toMatchObject({ running: 0, failed: 2, lastFailure: { outcome: 'failed in the runner' } });
    expect(await h.unacked()).toEqual([]);
  });

  it('a shutdown mid-run leaves that event un-acked, so it runs again after the restart', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000') });
    const done = await h.say('quick');
    const inFlight = await h.say('slow one', { conversation: 'chat-2' });
    await h.waitFor('both started', () => h!.shown().some((c) => textOf(c).includes('working on slow one')));
    expect(done.id).not.toBe(inFlight.id);
    const unacked = await h.unacked();
    expect(unacked).toContain(inFlight.id);
    expect(h.shown().some((c) => textOf(c) === 'Stopped.')).toBe(false);
  });
});

describe('streaming output', () => {
  it('shows the first chunk as a message and later ones as edits of it', async () => {
    h = startRunner({ command: fake('streaming', '5', '80') });
    await h.say('stream', { messageId: 'm-7' });
    await h.waitFor('all chunks', () => h!.shown().some((c) => textOf(c).includes('chunk 5')));
    const shown = h.shown();
    expect(shown[0]).toMatchObject({ type: 'reply', replyTo: 'm-7' });
    expect(textOf(shown[0]!)).toMatch(/^chunk 1/);
    expect(shown.length).toBeGreaterThan(2);
    for (const c of shown.slice(1)) expect(c).toMatchObject({ type: 'edit', messageId: '100' });
    expect(textOf(shown.at(-1)!)).toBe('chunk 1 chunk 2 chunk 3 chunk 4 chunk 5');
  });

  it('coalesces output between edits to at most one per interval', async () => {
    // 200 ms apart: a stalled machine still reads the first chunk on its own.
    h = startRunner({ command: fake('streaming', '6', '200'), editIntervalMs: 60_000 });
    await h.say('stream');
    await h.waitFor('the final edit', () => h!.shown().some((c) => textOf(c).includes('chunk 6')));
    // The first chunk at once; everything after it in the one edit at the end.
    expect(h.shown().map((c) => c.type)).toEqual(['reply', 'edit']);
  });

  it('edits no faster than the platform allows, even with a shorter edit_interval', async () => {
    h = startRunner({ command: fake('streaming', '6', '200'), editIntervalMs: 0 }, { plan: { textLimit: 4096, canEdit: true, minEditIntervalMs: 60_000 } });
    await h.say('stream');
    await h.waitFor('the final edit', () => h!.shown().some((c) => textOf(c).includes('chunk 6')));
    expect(h.shown().map((c) => c.type)).toEqual(['reply', 'edit']);
  });

  it('past the platform\'s edits per message, continues in a new message and loses nothing', async () => {
    // 150 ms apart, so the chunks arrive in separate reads even on a loaded machine.
    h = startRunner({ command: fake('streaming', '12', '150') }, { plan: { textLimit: 4096, canEdit: true, maxEditsPerMessage: 2 } });
    await h.say('stream');
    await h.waitFor('the run to finish', () => h!.logs.some((l) => l.msg === 'agent run finished'));
    const shown = h.shown();
    const messages = shown.filter((c) => c.type !== 'edit');
    expect(messages.length).toBeGreaterThan(1);
    const finalText = messages.map((m, i) => {
      const edits = shown.filter((c) => c.type === 'edit' && c.messageId === String(100 + i));
      expect(edits.length).toBeLessThanOrEqual(2);
      return textOf(edits.at(-1) ?? m);
    });
    expect(finalText.join(' ')).toBe(Array.from({ length: 12 }, (_, i) => `chunk ${i + 1}`).join(' '));
  });

  it('continues in a new message when the text outgrows the platform limit', async () => {
    h = startRunner({ command: fake('streaming', '6', '30', '45') }, { plan: { textLimit: 100, canEdit: true } });
    await h.say('long');
    await h.waitFor('the last chunk', () => h!.shown().some((c) => textOf(c).includes('chunk 6')));
    await new Promise((r) => setTimeout(r, 100));
    const shown = h.shown();
    for (const c of shown) expect(textOf(c).length).toBeLessThanOrEqual(100);
    const messages = shown.filter((c) => c.type !== 'edit');
    expect(messages.length).toBeGreaterThanOrEqual(3);
    // The final text of each message, in order, holds every chunk.
    const finalText = messages.map((m, i) => {
      const id = String(100 + i);
      const edits = shown.filter((c) => c.type === 'edit' && c.messageId === id);
      return textOf(edits.at(-1) ?? m);
    });
    for (let i = 1; i <= 6; i++) expect(finalText.join(' ')).toContain(`chunk ${i}`);
  });

  it('where the platform cannot edit, sends complete pages as new messages and never edits', async () => {
    h = startRunner({ command: fake('streaming', '6', '30', '45') }, { plan: { textLimit: 100 } });
    await h.say('long');
    await h.waitFor('the last chunk', () => h!.shown().some((c) => textOf(c).includes('chunk 6')));
    expect(h.shown().every((c) => c.type !== 'edit')).toBe(true);
    expect(h.shown().length).toBeGreaterThanOrEqual(3);
    const all = h.shown().map(textOf).join(' ');
    for (let i = 1; i <= 6; i++) expect(all.split(`chunk ${i} `).length - 1).toBe(1);
  });
});
