import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIp, isAddressOrRange, trustedProxyList } from '../infra/http/client-ip.js';
import { loadConfig } from '../infra/config.js';
import { routerEnv } from '../router/config.js';

/** Which address counts as the caller's, for rate limits and audit records. */
describe("the caller's address", () => {
  const trusted = trustedProxyList(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);

  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    assert.equal(clientIp('203.0.113.9', '198.51.100.1', undefined), '203.0.113.9');
    assert.equal(clientIp('::ffff:203.0.113.9', undefined, undefined), '203.0.113.9');
  });

  it('is the TCP peer when the peer is not a trusted proxy', () => {
    assert.equal(clientIp('203.0.113.9', '198.51.100.1', trusted), '203.0.113.9');
  });

  it('is the nearest untrusted hop of X-Forwarded-For behind trusted proxies', () => {
    assert.equal(clientIp('10.1.2.3', '198.51.100.1', trusted), '198.51.100.1');
    // The client wrote a made-up first hop; the load balancer appended what it saw.
    assert.equal(clientIp('10.1.2.3', '1.1.1.1, 198.51.100.1, 192.168.1.5', trusted), '198.51.100.1');
    assert.equal(clientIp('::ffff:10.1.2.3', ['198.51.100.7', '10.9.9.9'], trusted), '198.51.100.7');
    assert.equal(clientIp('fd00::1', '2001:db8::7', trusted), '2001:db8::7');
  });

  it('skips what is not an address, and falls back to the peer', () => {
    assert.equal(clientIp('10.1.2.3', 'unknown, not-an-ip', trusted), '10.1.2.3');
    assert.equal(clientIp('10.1.2.3', '10.2.2.2', trusted), '10.2.2.2', 'every hop trusted: the farthest one');
  });

  it('reads TRUSTED_PROXIES as addresses and CIDR ranges, and refuses anything else', () => {
    assert.deepEqual(loadConfig(routerEnv, { TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }).TRUSTED_PROXIES, ['10.0.0.0/8', '127.0.0.1']);
    assert.throws(() => loadConfig(routerEnv, { TRUSTED_PROXIES: 'proxy.local' }), /TRUSTED_PROXIES="proxy.local"/);
    assert.equal(isAddressOrRange('10.0.0.0/33'), false);
    assert.equal(isAddressOrRange('fd00::/64'), true);
  });
});
