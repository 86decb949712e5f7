/** Stages 3 and 4: the route, then method, media type and IP allowlist on the known route. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/listener/exchange.js';
import { ipList } from '../../src/listener/ip-list.js';
import { mediaType, requestChecks } from '../../src/listener/request-checks.js';
import { pathOf, route } from '../../src/listener/route.js';

function ex(method: string, url: string, headers: Record<string, string>, clientIp = '127.0.0.1'): Exchange {
  const req = { method, url, headers, complete: false } as unknown as IncomingMessage;
  return { req, res: {} as never, peerIp: clientIp, clientIp, correlationId: 'c', receivedAt: 0 };
}

const PATH = '/hooks/whk_0123456789abcdef0123456789abcdef';
const JSON_CT = { 'content-type': 'application/json', 'content-length': '2' };

describe('route', () => {
  it('marks only the exact endpoint path as known (query ignored)', () => {
    const stage = route(PATH);
    const cases = [PATH, `${PATH}?x=1`, `${PATH}/`, `${PATH}0`, '/hooks/', '/', '*'].map((url) => {
      const e = ex('POST', url, { host: 'x' });
      expect(stage(e)).toBeUndefined();
      return e.known;
    });
    expect(cases).toEqual([true, true, false, false, false, false, false]);
    expect(pathOf(undefined)).toBe('');
  });

  it('refuses a request without Host with a generic 400 that closes', () => {
    expect(route(PATH)(ex('POST', PATH, {}))).toEqual({ status: 400, reason: 'no-host', close: true });
  });
});

describe('requestChecks', () => {
  const stage = requestChecks(['application/json'], ipList(['127.0.0.0/8'], 'allow_ips'), 1_000);
  const known = (e: Exchange) => ((e.known = true), e);

  it('lets a POST of an accepted media type from an allowed IP through', () => {
    expect(stage(known(ex('POST', PATH, JSON_CT)))).toBeUndefined();
    expect(stage(known(ex('POST', PATH, { ...JSON_CT, 'content-type': 'APPLICATION/json ; charset=UTF-8' })))).toBeUndefined();
  });

  it('405 with Allow: POST for other methods', () => {
    expect(stage(known(ex('GET', PATH, {})))).toEqual({ status: 405, reason: 'method', headers: { allow: 'POST' }, close: false });
    expect(stage(known(ex('PUT', PATH, JSON_CT)))?.close).toBe(false);
    expect(stage(known(ex('PUT', PATH, { ...JSON_CT, 'content-length': '1001' })))?.close).toBe(true);
    expect(stage(known(ex('PUT', PATH, { 'transfer-encoding': 'chunked' })))?.close).toBe(true);
  });

  it('415 for other or missing media types', () => {
    expect(stage(known(ex('POST', PATH, { 'content-type': 'text/plain' })))?.status).toBe(415);
    expect(stage(known(ex('POST', PATH, {})))?.status).toBe(415);
    expect(stage(known(ex('POST', PATH, { 'content-type': 'application/jsonx' })))?.status).toBe(415);
  });

  it('403 for a client outside the allowlist; no allowlist lets everyone through', () => {
    expect(stage(known(ex('POST', PATH, JSON_CT, '192.0.2.1')))).toMatchObject({ status: 403, reason: 'ip-not-allowed' });
    expect(requestChecks(['application/json'], undefined, 1_000)(known(ex('POST', PATH, JSON_CT, '192.0.2.1')))).toBeUndefined();
  });

  it('leaves unknown routes alone (they are answered 404 after the same work)', () => {
    expect(stage(ex('GET', '/nope', {}, '192.0.2.1'))).toBeUndefined();
  });

  it('mediaType strips parameters and case', () => {
    expect([mediaType('Application/JSON;charset=utf-8'), mediaType(undefined), mediaType(' text/plain ')]).toEqual(['application/json', '', 'text/plain']);
  });
});
