/**
 * The `codex` and `claude` presets: their non-interactive invocations, how a follow-up resumes the
 * conversation's session, and how their JSON-lines output is read (the text to show, the session id).
 *
 * - codex: `codex exec --json [args] -- PROMPT`; resume with `codex exec --json [args] resume ID -- PROMPT`
 *   (the order the official @openai/codex-sdk uses). Lines: `{"type":"thread.started","thread_id":…}`,
 *   `{"type":"item.completed","item":{"type":"agent_message","text":…}}`.
 * - claude: `claude -p --output-format stream-json --verbose [args] [--resume ID] -- PROMPT`. Lines:
 *   `{"type":"system","subtype":"init","session_id":…}`, `{"type":"assistant","message":{"content":[{"type":"text","text":…}]}}`,
 *   `{"type":"result","result":…,"session_id":…}`.
 *
 * `--` ends the options, so a message that starts with `-` is still the prompt.
 */
import type { AgentPreset } from '../config/agent-schema.js';

/** What one output line says: text to show the user, and/or the session id to resume later. */
export interface OutputLine {
  text?: string;
  session?: string;
}

/** Reads a CLI's stdout, one line at a time. */
export type LineReader = (line: string) => OutputLine;

/** The argv template of a preset run (`{text}` is the prompt), resuming `session` when given. */
export function presetArgv(preset: AgentPreset, args: readonly string[], session: string | undefined): string[] {
  switch (preset) {
    case 'codex':
      return ['codex', 'exec', '--json', ...args, ...(session ? ['resume', session] : []), '--', '{text}'];
    case 'claude':
      return ['claude', '-p', '--output-format', 'stream-json', '--verbose', ...args, ...(session ? ['--resume', session] : []), '--', '{text}'];
  }
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** codex exec --json: the thread id, and each completed agent message. */
export function readCodexLine(line: string): OutputLine {
  const o = parseJson(line);
  if (!o) return {};
  if (o.type === 'thread.started') return withSession({}, str(o.thread_id));
  const item = o.item as Record<string, unknown> | undefined;
  if (o.type === 'item.completed' && item?.type === 'agent_message') return withText({}, str(item.text));
  if (o.type === 'turn.failed') return withText({}, str((o.error as Record<string, unknown> | undefined)?.message));
  return {};
}

/** A reader for claude's stream-json: session id from any line, text from assistant messages. */
export function claudeReader(): LineReader {
  let sawText = false;
  return (line) => {
    const o = parseJson(line);
    if (!o) return {};
    const out = withSession({}, str(o.session_id));
    if (o.type === 'assistant') {
      const content = (o.message as { content?: unknown } | undefined)?.content;
      const texts = Array.isArray(content) ? content.filter((c: { type?: unknown }) => c?.type === 'text').map((c: { text?: unknown }) => str(c.text)).filter((t): t is string => !!t) : [];
      if (texts.length) sawText = true;
      return withText(out, texts.join('\n\n') || undefined);
    }
    // The result repeats the last answer; show it only when no assistant text came (e.g. an error).
    if (o.type === 'result' && !sawText) return withText(out, str(o.result));
    return out;
  };
}

/** The line reader of a preset (a fresh one per run). */
export function presetReader(preset: AgentPreset): LineReader {
  return preset === 'codex' ? readCodexLine : claudeReader();
}

function withText(o: OutputLine, text: string | undefined): OutputLine {
  return text ? { ...o, text } : o;
}

function withSession(o: OutputLine, session: string | undefined): OutputLine {
  return session ? { ...o, session } : o;
}
