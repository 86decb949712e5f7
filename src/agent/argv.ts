/**
 * The agent's argv, built from a template by plain string replacement in each argument — never
 * through a shell, so a message like `$(rm -rf ~)` reaches the agent as one literal argument.
 */

/** What a run's placeholders stand for. */
export interface RunInput {
  text: string;
  conversation: string;
  sender: string;
}

const PLACEHOLDER = /\{(text|conversation|sender)\}/g;

/**
 * Replace `{text}`, `{conversation}` and `{sender}` in each argument (in one pass: a text that itself
 * contains `{sender}` is not expanded again). The number of arguments never changes.
 */
export function substituteArgs(template: readonly string[], input: RunInput): string[] {
  return template.map((arg) => arg.replace(PLACEHOLDER, (_, name: keyof RunInput) => input[name]));
}
