/** The `access` block the test config writers put in each connector block. */

/** A connector's `access` block as the config takes it. */
export interface AccessBlock {
  dm?: 'pairing' | 'allowlist' | 'open' | 'disabled';
  groups?: string[];
  owners?: string[];
  allowed?: string[];
  rate_limit?: number;
}

/**
 * What delivery, crash and chaos tests run with: everyone in, no rate limit — spelled out, as `open`
 * never is a default. Access itself is tested in test/security/ and test/e2e/pairing-cli.test.ts.
 */
export const OPEN_ACCESS: AccessBlock = { dm: 'open', groups: ['*'], rate_limit: 0 };
