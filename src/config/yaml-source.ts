/**
 * The config file as YAML: parsed once with source positions kept, so any problem found later (by zod,
 * a connector check, secret resolution) can be reported at the line and column it comes from.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { renderPath, type Finding, type KeyPath, type Problem } from './problem.js';

/** A parsed config file: its plain data and a way to place findings in it. */
export interface YamlSource {
  data: unknown;
  /** 1-based position of the key or value at `path`, or of the nearest ancestor present in the file. */
  position(path: KeyPath, at: 'key' | 'value'): { line: number; col: number };
  /** A finding placed in the file: `key.path: text` at its position. */
  place(finding: Finding): Problem;
}

/** Parse YAML text; syntax errors and duplicate keys come back as problems (and no source). */
export function parseYamlSource(text: string): { source?: YamlSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = at(e.pos[0]);
      if (e.code === 'DUPLICATE_KEY') {
        const key = text.slice(e.pos[0]).split(/[:\n]/)[0]?.trim() ?? '';
        return { ...pos, message: `duplicate key ${JSON.stringify(key)}: a key may appear once in a mapping; remove or merge one of them` };
      }
      if (e.code === 'MULTIPLE_DOCS') {
        return { ...pos, message: 'a config file holds one YAML document; remove this `---` and merge what follows into the first' };
      }
      return { ...pos, message: `invalid YAML: ${e.message}; fix the syntax here` };
    });
    return { problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { problems: [{ line: 1, col: 1, message: `invalid YAML: ${message}` }] };
  }
  const position = (path: KeyPath, where: 'key' | 'value'): { line: number; col: number } =>
    at(locate(doc, path, where));
  const place = (f: Finding): Problem => ({ ...position(f.path, f.at), message: `${renderPath(f.path)}: ${f.text}` });
  return { source: { data, position, place }, problems: [] };
}

/** Offset of the node at `path` (its key or its value), falling back to the nearest present ancestor. */
function locate(doc: Document, path: KeyPath, where: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let keyOffset: number | undefined;
  const start = (n: unknown): number | undefined => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range?.[0];
  };
  let fallback = start(node) ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return fallback;
      keyOffset = start(pair.key);
      node = pair.value;
      fallback = keyOffset ?? fallback;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      keyOffset = undefined;
      fallback = start(node) ?? fallback;
    } else {
      return fallback;
    }
  }
  if (where === 'key' && keyOffset !== undefined) return keyOffset;
  // An empty value (`token:` and nothing) has no useful range of its own: point at its key.
  const valueOffset = isScalar(node) && node.value === null ? undefined : start(node);
  return valueOffset ?? keyOffset ?? fallback;
}
