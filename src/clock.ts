/** The injected clock: every timer and timestamp in the runtime goes through one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
