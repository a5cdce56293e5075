import { describe, expect, it } from 'vitest';
import { checkCalling } from '../../../src/rules/calling.js';
import { demo, host, production, single } from './fixtures.js';

describe('checkCalling', () => {
  it('finds nothing in the valid inventories (the demo may put sftd and coturn on one node)', () => {
    expect(checkCalling(production())).toEqual([]);
    expect(checkCalling(demo())).toEqual([]);
  });

  it('refuses sftd and coturn on one production host', () => {
    const finding = single(
      checkCalling(production((input) => void host(input, 'kubenode2').roles.push('coturn'))),
      'calling.shared-node',
    );
    expect(finding).toMatchObject({ severity: 'error', host: 'kubenode2', path: ['hosts', 1, 'roles'] });
  });

  it('refuses SFT or coturn enabled with no host for it', () => {
    const noSft = single(
      checkCalling(
        production((input) => {
          host(input, 'kubenode2').roles = ['kube-control-plane', 'kube-worker'];
          input.wire = { calling: { sft: { enabled: true } } };
        }),
      ),
      'calling.sft-no-host',
    );
    expect(noSft).toMatchObject({
      severity: 'error',
      path: ['wire', 'calling', 'sft', 'enabled'],
      measured: '0 hosts',
    });
    const noTurn = single(
      checkCalling(
        production((input) => {
          host(input, 'kubenode3').roles = ['kube-control-plane', 'kube-worker'];
          input.wire = { calling: { coturn: { enabled: true } } };
        }),
      ),
      'calling.coturn-no-host',
    );
    expect(noTurn.message).toContain('coturn');
  });

  it('refuses more SFT replicas than sftd hosts', () => {
    const finding = single(
      checkCalling(
        production((input) => {
          input.wire = { calling: { sft: { replicas: 3 } } };
        }),
      ),
      'calling.sft-replicas',
    );
    expect(finding).toMatchObject({
      severity: 'error',
      path: ['wire', 'calling', 'sft', 'replicas'],
      required: 'at most 1 (one per sftd host)',
    });
    expect(finding.measured).toContain('3 replicas');
  });

  it('warns when the sftd hosts lack the vCPUs for the expected participants', () => {
    // 500 participants need 10 vCPUs; kubenode2 has 8 - 6 = 2 to spare
    const finding = single(
      checkCalling(
        production((input) => {
          input.wire = { calling: { sft: { concurrentParticipants: 500 } } };
        }),
      ),
      'calling.sft-capacity',
    );
    expect(finding).toMatchObject({ severity: 'warning', required: '10 spare vCPUs' });
    expect(finding.measured).toBe('2 spare vCPUs on 1 sftd host');
    expect(finding.message).toContain('500');
  });

  it('adds the spare vCPUs of every sftd host, and is silent when they suffice', () => {
    const twoHosts = (participants: number) =>
      production((input) => {
        host(input, 'kubenode1').roles.push('sftd');
        host(input, 'kubenode1').resources = { cpus: 9 };
        host(input, 'kubenode1').externalIp = '203.0.113.21';
        input.wire = { calling: { sft: { concurrentParticipants: participants } } };
      });
    expect(checkCalling(twoHosts(250))).toEqual([]);
    expect(single(checkCalling(twoHosts(251)), 'calling.sft-capacity').required).toBe('6 spare vCPUs');
  });

  it('leaves capacity to preflight when an sftd host does not declare its vCPUs', () => {
    const inventory = production((input) => {
      host(input, 'kubenode2').resources = { memoryGiB: 8 };
      input.wire = { calling: { sft: { concurrentParticipants: 5000 } } };
    });
    expect(checkCalling(inventory)).toEqual([]);
  });

  it('warns about a calling host with only a private address', () => {
    const finding = single(
      checkCalling(
        production((input) => {
          host(input, 'kubenode3').externalIp = undefined;
        }),
      ),
      'calling.external-ip-missing',
    );
    expect(finding).toMatchObject({
      severity: 'warning',
      host: 'kubenode3',
      path: ['hosts', 2, 'externalIp'],
    });
    expect(finding.message).toContain('192.168.122.23');
    expect(finding.message).toContain('coturn');
  });

  it('needs no externalIp when the host address is public, or the service is off', () => {
    const publicAddress = production((input) => {
      const node = host(input, 'kubenode2');
      node.address = '198.51.100.22';
      node.externalIp = undefined;
    });
    expect(checkCalling(publicAddress)).toEqual([]);
    const sftOff = production((input) => {
      host(input, 'kubenode2').externalIp = undefined;
      input.wire = { calling: { sft: { enabled: false } } };
    });
    expect(checkCalling(sftOff)).toEqual([]);
  });
});
