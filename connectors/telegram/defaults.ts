/**
 * Defaults shared by the schema and the connector, in a module of their own so the connector does
 * not import zod (the runtime has loaded it for config anyway, but a connector should not need it).
 */

/** Defaults of the `polling` block, also applied by the connector to blocks built in code. */
export const POLLING_DEFAULTS = { timeout: 30, limit: 100 } as const;
