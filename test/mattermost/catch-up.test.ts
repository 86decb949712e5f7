/**
 * What the REST catch-up makes of one post returned by `posts?since=`: the changes made at or after the
 * channel's cursor (new post, edit, deletion, reactions), each with the time it happened.
 */
import { describe, expect, it } from 'vitest';
import { missedChanges } from '../../connectors/mattermost/catch-up.js';
import type { MmPost, NormalizeContext } from '../../connectors/mattermost/normalize.js';
import { ALICE, BOT, DM } from './fixtures.js';

const CURSOR = 1_764_000_000_000;
const ctx: NormalizeContext = { connector: 'mm', botUserId: BOT, channelType: () => 'D' };
const post = (fields: Partial<MmPost>): MmPost => ({
  id: 'postpostpostpostpostpostpo', create_at: CURSOR - 5_000, update_at: CURSOR - 5_000, edit_at: 0, delete_at: 0,
  user_id: ALICE, channel_id: DM, root_id: '', message: 'hello', type: '', props: {}, ...fields,
});
const changes = (p: MmPost) => missedChanges(ctx, p, 'D', CURSOR).map((c) => [c.draft.kind, c.at, c.posted]);

describe('mattermost catch-up: missed changes of a post', () => {
  it('a post new in the gap is a message (already carrying its edited text), its reactions follow', () => {
    const p = post({ create_at: CURSOR + 10, edit_at: CURSOR + 20, update_at: CURSOR + 30, message: 'edited', metadata: { reactions: [{ user_id: ALICE, post_id: 'x', emoji_name: 'tada', create_at: CURSOR + 30 }] } });
    expect(changes(p)).toEqual([['message', CURSOR + 10, true], ['reaction', CURSOR + 30, false]]);
    expect(missedChanges(ctx, p, 'D', CURSOR)[0]!.draft.text).toBe('edited');
  });

  it('an older post edited in the gap is an edit keyed on its edit time; one edited before the cursor is nothing', () => {
    expect(changes(post({ edit_at: CURSOR + 7, update_at: CURSOR + 7 }))).toEqual([['edit', CURSOR + 7, false]]);
    expect(missedChanges(ctx, post({ edit_at: CURSOR + 7 }), 'D', CURSOR)[0]!.draft.dedupKey).toBe(`mm:edit:postpostpostpostpostpostpo:${CURSOR + 7}`);
    expect(changes(post({ edit_at: CURSOR - 1, update_at: CURSOR + 9 }))).toEqual([]);
  });

  it('the post at the cursor itself is both possibly new (dedup absorbs it) and possibly seen (its edit is kept)', () => {
    expect(changes(post({ create_at: CURSOR, edit_at: CURSOR + 3 }))).toEqual([['message', CURSOR, true], ['edit', CURSOR + 3, false]]);
    expect(changes(post({ create_at: CURSOR, delete_at: CURSOR + 3 }))).toEqual([['delete', CURSOR + 3, false]]);
  });

  it('an older post deleted in the gap is a delete; one created and deleted inside the gap is nothing', () => {
    expect(changes(post({ delete_at: CURSOR + 4, update_at: CURSOR + 4 }))).toEqual([['delete', CURSOR + 4, false]]);
    expect(changes(post({ create_at: CURSOR + 1, delete_at: CURSOR + 4, update_at: CURSOR + 4 }))).toEqual([]);
  });

  it('keeps only reactions made in the gap, and never the bot\'s own', () => {
    const reactions = [
      { user_id: ALICE, post_id: 'p', emoji_name: 'old', create_at: CURSOR - 1 },
      { user_id: BOT, post_id: 'p', emoji_name: 'mine', create_at: CURSOR + 1 },
      { user_id: ALICE, post_id: 'p', emoji_name: 'eyes', create_at: CURSOR + 2 },
    ];
    const found = missedChanges(ctx, post({ update_at: CURSOR + 2, metadata: { reactions } }), 'D', CURSOR);
    expect(found.map((c) => [c.draft.kind, c.draft.text])).toEqual([['reaction', 'eyes']]);
    expect(found[0]!.draft.dedupKey).toBe(`mm:reaction:p:${ALICE}:eyes:${CURSOR + 2}`);
  });

  it('skips Mattermost\'s edit-history rows (original_id): the old version is no deletion', () => {
    expect(changes(post({ id: 'histhisthisthisthisthisthi', original_id: 'postpostpostpostpostpostpo', delete_at: CURSOR + 7, update_at: CURSOR + 7 }))).toEqual([]);
  });

  it('leaves out the edits, deletions and reactions the change cursor says were journaled', () => {
    const p = post({ edit_at: CURSOR + 5, update_at: CURSOR + 9, metadata: { reactions: [{ user_id: ALICE, post_id: 'p', emoji_name: 'eyes', create_at: CURSOR + 9 }] } });
    const seenUpTo = (mark: number) => (at: number) => at <= mark;
    expect(missedChanges(ctx, p, 'D', CURSOR, seenUpTo(CURSOR + 6)).map((c) => c.draft.kind)).toEqual(['reaction']);
    expect(missedChanges(ctx, p, 'D', CURSOR, seenUpTo(CURSOR + 9)).map((c) => c.draft.kind)).toEqual([]);
    expect(missedChanges(ctx, p, 'D', CURSOR).map((c) => c.draft.kind)).toEqual(['edit', 'reaction']);
  });
});
