/** Bridging Node's AbortSignal to the one grammY's type declarations name. */
import type { Api } from 'grammy';

/** grammY types its signals with the `abort-controller` shim's class. */
export type SdkSignal = NonNullable<Parameters<Api['raw']['getMe']>[0]>;

/**
 * Node's own `AbortSignal` as grammY's parameter type. Sound at runtime: grammY only calls
 * `addEventListener`/`removeEventListener` and reads `aborted`, which the native signal has.
 */
export function sdkSignal(signal: AbortSignal): SdkSignal {
  return signal as unknown as SdkSignal;
}
