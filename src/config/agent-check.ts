/**
 * What `config check` (and `run`) can tell about the `agent:` block before the first message does: its
 * working directory exists, and its program can be found — on PATH for a bare name, as an executable
 * file for a path. Otherwise every run would fail with the same notice in the chat.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { AgentConfig } from './agent-schema.js';
import type { Finding } from './problem.js';

/** The program the runner will start: the command's first word, or the preset's CLI. */
export function agentProgram(agent: Pick<AgentConfig, 'command' | 'preset'>): string {
  return agent.command?.[0] ?? agent.preset ?? '';
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile() && (await access(file, constants.X_OK).then(() => true, () => false));
  } catch {
    return false;
  }
}

/** Problems with the agent's cwd and program; `path` is the PATH the runtime would pass on. */
export async function agentFindings(agent: AgentConfig, path: string | undefined): Promise<Finding[]> {
  const findings: Finding[] = [];
  const cwdOk = await stat(agent.cwd).then((s) => s.isDirectory(), () => false);
  if (!cwdOk) findings.push({ path: ['agent', 'cwd'], at: 'value', text: `working directory ${agent.cwd} does not exist or is not a directory; create it or fix the path` });
  const program = agentProgram(agent);
  const where = agent.command ? ['agent', 'command', 0] : ['agent', 'preset'];
  if (program.includes('/')) {
    // spawn resolves a relative program path against the agent's working directory.
    const file = isAbsolute(program) ? program : resolve(agent.cwd, program);
    if (cwdOk && !(await isExecutable(file))) findings.push({ path: where, at: 'value', text: `program ${file} is not an executable file; check the path (relative paths are relative to agent.cwd) and chmod +x` });
    return findings;
  }
  const dirs = (path ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) if (await isExecutable(join(dir, program))) return findings;
  const install = agent.preset === 'codex' ? 'install Codex CLI (npm install -g @openai/codex)' : agent.preset === 'claude' ? 'install Claude Code (npm install -g @anthropic-ai/claude-code)' : 'install it';
  findings.push({ path: where, at: 'value', text: `program "${program}" is not on PATH; ${install}, or give its full path${agent.preset ? ' with agent.command' : ''}` });
  return findings;
}
