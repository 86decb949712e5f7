/** The per-channel catch-up cursor: a floor from the first start, each channel's newest journaled post, kept across restarts. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PostCursor } from '../../connectors/mattermost/cursor.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('mattermost post cursor', () => {
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(() => tmp?.cleanup());

  it('starts empty, begins at a floor, advances per channel and never back, and survives a reload', async () => {
    tmp = makeTempDir('sb-mmcur-');
    const file = join(tmp.dir, 'mattermost', 'mm.cursor');
    const cursor = await PostCursor.load(file, 10);
    expect(cursor.started).toBe(false);
    expect(cursor.since('a')).toBeUndefined();
    await cursor.begin(1_000);
    cursor.advance('a', 5_000);
    cursor.advance('a', 4_000);
    cursor.advance('b', 2_000);
    // A channel asked earlier in a catch-up keeps its own mark: b's does not follow a's.
    expect([cursor.since('a'), cursor.since('b'), cursor.since('c'), cursor.oldest()]).toEqual([5_000, 2_000, 1_000, 1_000]);
    await cursor.flush();
    const again = await PostCursor.load(file);
    expect([again.started, again.since('a'), again.since('b'), again.since('c')]).toEqual([true, 5_000, 2_000, 1_000]);
  });

  it('keeps each channel\'s newest journaled change (time and the keys at that millisecond) across a reload', async () => {
    tmp = makeTempDir('sb-mmcur-');
    const file = join(tmp.dir, 'mattermost', 'mm.cursor');
    const cursor = await PostCursor.load(file, 10);
    await cursor.begin(1_000);
    cursor.advanceChange('a', 3_000, 'edit:1');
    cursor.advanceChange('a', 3_000, 'reaction:2');
    cursor.advanceChange('a', 2_000, 'edit:0'); // never back
    await cursor.flush();
    const again = await PostCursor.load(file);
    expect([
      again.changeSeen('a', 2_500, 'edit:x'), // older than the mark
      again.changeSeen('a', 3_000, 'reaction:2'), // that very one
      again.changeSeen('a', 3_000, 'edit:9'), // another change in the same millisecond
      again.changeSeen('a', 3_001, 'edit:1'), // newer
      again.changeSeen('b', 0, 'edit:1'), // a channel with no change journaled
    ]).toEqual([true, true, false, false, false]);
  });
});
