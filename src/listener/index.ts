/**
 * The hardened listener, the only inbound code in Switchboard (DESIGN.md "The hardened listener").
 * Webhook connectors start one with `startListener` and a `WebhookHandler`.
 */
export { startListener } from './listener.js';
export { loadEndpointId, isEndpointId } from './endpoint-id.js';
export { DEFAULT_LIMITS } from './limits.js';
export type * from './types.js';
