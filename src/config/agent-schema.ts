/**
 * The top-level `agent:` block: the agent runner spawns a CLI per conversation (docs/agent-runner.md).
 * Either `command` (any program, an argv template) or `preset` (codex, claude), never both.
 */
import { z } from 'zod';
import { duration, parseDuration } from './fields.js';

export const AGENT_PRESETS = ['codex', 'claude'] as const;
export type AgentPreset = (typeof AGENT_PRESETS)[number];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const agentSchema = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('The program and its arguments, run without a shell. In each argument {text}, {conversation} and {sender} are replaced by the message text, the conversation id and the sender id. Example: [my-agent, --chat, "{conversation}", "{text}"].'),
    preset: z
      .enum(AGENT_PRESETS)
      .optional()
      .describe('codex: `codex exec --json`, claude: `claude -p --output-format stream-json --verbose`; each conversation resumes its session on follow-ups. Instead of `command`.'),
    args: z
      .array(z.string())
      .default([])
      .describe('With a preset: extra arguments placed before the message, e.g. [--model, o4-mini] or [--full-auto]. Default: [].'),
    cwd: z.string().optional().describe('Working directory of the agent. Relative paths are relative to the config file. Default: the directory of the config file.'),
    env: z
      .array(z.string().regex(ENV_NAME, 'an environment variable name'))
      .default([])
      .describe('Names of environment variables passed from the runtime to the agent, besides PATH, HOME, LANG, LC_ALL, TERM, TMPDIR and USER (always passed). Nothing else is: no connector secret reaches the agent. Example: [OPENAI_API_KEY].'),
    timeout: duration.default('10m').describe('Longest one run may take; past it the agent is stopped and the chat told so. Default 10m.'),
    stop_grace: duration.default('5s').describe('After SIGTERM (/stop, timeout, shutdown), how long before SIGKILL. Default 5s.'),
    queue: z
      .enum(['queue', 'interrupt'])
      .default('queue')
      .describe('A message arriving while the conversation\'s run is going: queue = run it next (default); interrupt = stop the run and start the new message.'),
    edit_interval: duration.default('1s').describe('Least time between two edits of the streamed answer in one conversation (later output is coalesced). Default 1s.'),
  })
  .refine((a) => (a.command === undefined) !== (a.preset === undefined), { message: 'set exactly one of `command` (your own program) or `preset` (codex or claude)' })
  .describe('The agent runner: spawns your coding agent CLI for each message and streams its answer back. Omit to run no agent (connect one through the agent API socket instead).');

/** The parsed block, as written. */
export type AgentBlock = z.infer<typeof agentSchema>;

/** The normalized `agent` settings the runner runs from. */
export interface AgentConfig {
  command?: readonly string[];
  preset?: AgentPreset;
  args: readonly string[];
  /** Absolute. */
  cwd: string;
  env: readonly string[];
  timeoutMs: number;
  stopGraceMs: number;
  queue: 'queue' | 'interrupt';
  editIntervalMs: number;
}

/** Normalize a validated block; `resolvePath` makes `cwd` absolute (relative to the config file). */
export function normalizeAgent(block: AgentBlock, resolvePath: (p: string) => string, configDir: string): AgentConfig {
  return {
    ...(block.command ? { command: block.command } : {}),
    ...(block.preset ? { preset: block.preset } : {}),
    args: block.args,
    cwd: block.cwd ? resolvePath(block.cwd) : configDir,
    env: block.env,
    timeoutMs: parseDuration(block.timeout),
    stopGraceMs: parseDuration(block.stop_grace),
    queue: block.queue,
    editIntervalMs: parseDuration(block.edit_interval),
  };
}
