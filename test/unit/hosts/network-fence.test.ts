import { describe, expect, it } from 'vitest';
import { stunProbe } from '../../../src/doctor/checks/stun-probe.js';
import { FENCE_ENV, fenceRefusal } from '../../../src/hosts/network-fence.js';
import { httpsGet } from '../../../src/verify/https-probe.js';
import { readTlsSession } from '../../../src/verify/tls-probe.js';

describe('the network fence of test runs', () => {
  const env = { [FENCE_ENV]: '127.0.0.0/8,::1/128,172.31.0.0/24' };

  it('lets loopback and the lab through, refuses everything else, names unresolved names too', () => {
    expect(fenceRefusal('127.0.0.1', env)).toBeUndefined();
    expect(fenceRefusal('::1', env)).toBeUndefined();
    expect(fenceRefusal('172.31.0.11', env)).toBeUndefined();
    expect(fenceRefusal('192.168.122.21', env)).toBe(
      `192.168.122.21 is outside ${FENCE_ENV}=127.0.0.0/8,::1/128,172.31.0.0/24: not contacted`,
    );
    expect(fenceRefusal('172.31.1.5', env)).toMatch(/not contacted/);
    expect(fenceRefusal('kubenode1.example.com', env)).toMatch(/not contacted/);
  });

  it('does nothing when unset (every real use)', () => {
    expect(fenceRefusal('192.168.122.21', {})).toBeUndefined();
  });

  it('is set for this test run (vitest.config.ts), so the CLI processes tests start inherit it', () => {
    expect(process.env[FENCE_ENV]).toContain('172.31.0.0/24');
  });

  it('also holds the TLS, HTTPS and STUN probes: the example addresses are refused at once', async () => {
    const endpoint = { host: '192.168.122.21', port: 31773, source: 'test' };
    await expect(readTlsSession(endpoint, 'nginz-https.wire.example.com', () => 1)).rejects.toThrow(
      /outside WIRE_INSTALL_ONLY_NETWORKS.*not contacted/,
    );
    await expect(httpsGet(endpoint, 'nginz-https.wire.example.com', '/status')).rejects.toThrow(
      /not contacted/,
    );
    await expect(stunProbe('203.0.113.23', 3478, 'udp')).rejects.toThrow(/not contacted/);
  });
});
