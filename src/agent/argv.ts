/**
 * The agent's argv, built from a template by plain string replacement in each argument — never
 * through a shell, so a message like `$(rm -rf ~)` reaches the agent as one literal argument.
 *
 * NUL bytes cannot be passed in an argument or an environment value (the OS takes C strings, and
 * Node's spawn refuses them), so they are removed from what is substituted: a chat message `a\0b`
 * reaches the agent as `ab`. Nothing else is changed.
 */

/** What a run's placeholders stand for. */
export interface RunInput {
  text: string;
  conversation: string;
  sender: string;
}

const PLACEHOLDER = /\{(text|conversation|sender)\}/g;
const NUL = /\u0000/g;

/** `value` without NUL bytes (which no argument or environment value can carry). */
export function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replace(NUL, '') : value;
}

/**
 * Replace `{text}`, `{conversation}` and `{sender}` in each argument (in one pass: a text that itself
 * contains `{sender}` is not expanded again), dropping NUL bytes from the values. The number of
 * arguments never changes.
 */
export function substituteArgs(template: readonly string[], input: RunInput): string[] {
  return template.map((arg) => arg.replace(PLACEHOLDER, (_, name: keyof RunInput) => withoutNul(input[name])));
}
