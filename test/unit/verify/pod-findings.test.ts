import { describe, expect, it } from 'vitest';
import { ingressEndpoint } from '../../../src/verify/ingress-endpoint.js';
import { badPods, podHealthFindings } from '../../../src/verify/pod-findings.js';
import { demo, production } from '../../support/inventories.js';

const pod = (name: string, phase: string, waiting?: string) => ({
  metadata: { name, namespace: 'default' },
  status: {
    phase,
    containerStatuses: [{ name: 'main', state: waiting ? { waiting: { reason: waiting } } : {} }],
  },
});

describe('pods Running or Completed', () => {
  it('passes Running and Succeeded pods, names CrashLoopBackOff and Pending ones', () => {
    const bad = badPods({
      items: [
        pod('brig-1', 'Running'),
        pod('cassandra-migrations-x', 'Succeeded'),
        pod('nginz-7', 'Running', 'CrashLoopBackOff'),
        pod('webapp-2', 'Pending'),
      ],
    });
    expect(bad.map((p) => `${p.name} ${p.problem}`)).toEqual([
      'nginz-7 CrashLoopBackOff',
      'webapp-2 Pending',
    ]);
    expect(podHealthFindings([], new Map())).toEqual([]);
  });

  it('gives the known hint of a crashing nginz whose log says it failed to load the keystore', () => {
    const bad = badPods({ items: [pod('nginz-7', 'Running', 'CrashLoopBackOff')] });
    const [withLog] = podHealthFindings(
      bad,
      new Map([['default/nginz-7', 'nginx: [emerg] failed to load keystore']]),
    );
    expect(withLog?.message).toBe('pods not Running or Completed: default/nginz-7 (CrashLoopBackOff)');
    expect(withLog?.fix).toMatch(
      /^nginz cannot load the zauth public key: nginz.secrets.zAuth.publicKeys missing/,
    );
    const [withoutLog] = podHealthFindings(bad, new Map([['default/nginz-7', 'bind() failed']]));
    expect(withoutLog?.fix).toMatch(/^kubectl -n default describe pod nginz-7/);
  });
});

describe('the ingress endpoint verify connects to', () => {
  it("is the first kube-worker's address on the ingress NodePort, or the override", () => {
    expect(ingressEndpoint(production(), {})).toMatchObject({ host: '192.168.122.21', port: 31773 });
    expect(ingressEndpoint(demo(), { WIRE_INSTALL_INGRESS: '127.0.0.1:8443' })).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
    });
    expect(() => ingressEndpoint(demo(), { WIRE_INSTALL_INGRESS: 'nowhere' })).toThrow(
      'WIRE_INSTALL_INGRESS must be host:port (e.g. 203.0.113.10:443 or [2001:db8::1]:443), found "nowhere"',
    );
    expect(ingressEndpoint(demo(), { WIRE_INSTALL_INGRESS: '[::1]:8443' })).toMatchObject({ host: '::1' });
  });
});
