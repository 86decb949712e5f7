/**
 * Split text to a platform's message limit, preferring line boundaries, then spaces, and never cutting
 * a UTF-16 surrogate pair.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit < 2) throw new RangeError('limit must be at least 2');
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    // A boundary at index `limit` still works: the chunk before it is exactly `limit` long.
    let cut = rest.lastIndexOf('\n', limit);
    if (cut <= 0) cut = rest.lastIndexOf(' ', limit);
    let skip = 1; // drop the newline/space we cut at
    if (cut <= 0) {
      cut = safeCut(rest, limit);
      skip = 0;
    }
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut + skip);
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/**
 * Text cut to at most `limit` UTF-16 units, ending in `marker` when cut; the cut never splits a
 * surrogate pair (for a message that cannot be split, such as an edit).
 */
export function truncateText(text: string, limit: number, marker = '…'): string {
  if (text.length <= limit) return text;
  if (limit <= marker.length) throw new RangeError('limit must be longer than the marker');
  return text.slice(0, safeCut(text, limit - marker.length)) + marker;
}

/** `at`, or one less when `at` would fall between the halves of a surrogate pair. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}
