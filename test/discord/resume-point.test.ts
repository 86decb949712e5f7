import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, recoveryFor } from '../../connectors/discord/recovery.js';
import { ResumePoint } from '../../connectors/discord/resume-point.js';

const ready = (id = 'S1') => ({ sessionId: id, resumeURL: 'wss://resume.example' });

describe('ResumePoint', () => {
  it('resumes from the last journaled sequence, not the last received', () => {
    const p = new ResumePoint();
    expect(p.info(1)).toBeNull();
    p.newConnection();
    p.update(ready());
    const stamps = [1, 2, 3, 4].map((s) => p.stamp(s));
    p.complete(stamps[0]!);
    p.complete(stamps[1]!);
    // discord.js reports seq 4 received; the point stays at 2 (journaled).
    p.update({ ...ready(), sequence: 4 } as never);
    expect(p.info(1)).toEqual({ sessionId: 'S1', resumeURL: 'wss://resume.example', sequence: 2, shardId: 0, shardCount: 1 });
    expect(p.snapshot()).toEqual({ sessionId: 'S1', resumeUrl: 'wss://resume.example', seq: 2 });
  });

  it('a refused event blocks its connection until a resume, then the replay moves on', () => {
    const p = new ResumePoint();
    p.newConnection();
    p.update(ready());
    const [a, b, c] = [1, 2, 3].map((s) => p.stamp(s));
    expect(p.complete(a!)).toBe(true);
    expect(p.fail(b!)).toBe(true); // current connection: the caller must force a resume
    expect(p.blocked).toBe(true);
    expect(p.skips(c!)).toBe(true); // would overtake b: left to the replay
    expect(p.complete(c!)).toBe(false);
    expect(p.info(1)!.sequence).toBe(1);
    p.newConnection(); // the forced resume's socket
    expect(p.blocked).toBe(false);
    const replayB = p.stamp(2);
    expect(p.skips(replayB)).toBe(false);
    expect(p.complete(replayB)).toBe(true);
    expect(p.complete(p.stamp(3))).toBe(true);
    expect(p.done).toBe(3);
  });

  it('a refusal on an older connection needs no forced resume: the newer one resumed from before it', () => {
    const p = new ResumePoint();
    p.newConnection();
    p.update(ready());
    const old = p.stamp(5);
    p.newConnection();
    expect(p.fail(old)).toBe(false);
    expect(p.blocked).toBe(false);
  });

  it('a new session (READY) starts at 0; ending the session forgets it; dispatches of an old session never move the point', () => {
    const p = new ResumePoint();
    p.newConnection();
    p.update(ready('S1'));
    const fromS1 = p.stamp(7);
    p.update(ready('S2'));
    expect(p.complete(fromS1)).toBe(false);
    expect(p.info(1)!.sequence).toBe(0);
    expect(p.skips(fromS1)).toBe(false);
    p.update(null);
    expect(p.info(1)).toBeNull();
    expect(p.snapshot()).toBeUndefined();
  });

  it('restores a persisted session', () => {
    const p = new ResumePoint();
    p.restore({ sessionId: 'S9', resumeUrl: 'wss://r', seq: 41 });
    expect(p.info(1)).toMatchObject({ sessionId: 'S9', sequence: 41 });
    p.newConnection();
    expect(p.complete(p.stamp(40))).toBe(false); // replayed, already journaled
    expect(p.complete(p.stamp(42))).toBe(true);
  });
});

describe('Discord recovery table', () => {
  it('bad token and intent/shard/version errors are fatal; drops, 1001 and op-7 closes resume; ended sessions re-identify', () => {
    for (const code of [4004, 4010, 4011, 4012, 4013, 4014]) expect(recoveryFor(code).recovery).toBe('fatal');
    for (const code of [1001, 1006, 4000, 4001, 4002, 4200]) expect(recoveryFor(code).recovery).toBe('resume');
    for (const code of [1000, 4003, 4005, 4007, 4008, 4009]) expect(recoveryFor(code).recovery).toBe('retry');
    expect(recoveryFor(4999).recovery).toBe('resume');
    expect(recoveryFor(4004).reason).toMatch(/token/);
    expect(recoveryFor(4014).reason).toMatch(/Message Content/);
    expect(Object.keys(CLOSE_CODES)).not.toContain('4200'); // discord.js's own code, not Discord's
  });
});
