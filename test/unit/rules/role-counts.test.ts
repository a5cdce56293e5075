import { describe, expect, it } from 'vitest';
import { checkRoleCounts } from '../../../src/rules/role-counts.js';
import { byRule, datanode, demo, host, production, single } from './fixtures.js';

describe('checkRoleCounts in production', () => {
  it('finds nothing in the valid inventories', () => {
    expect(checkRoleCounts(production())).toEqual([]);
    expect(checkRoleCounts(demo())).toEqual([]);
  });

  it('needs three hosts of every database', () => {
    const findings = checkRoleCounts(
      production((input) => {
        host(input, 'datanode3').roles = ['elasticsearch', 'minio', 'postgresql'];
      }),
    );
    expect(findings).toHaveLength(2);
    const [cassandra, rabbitmq] = byRule(findings, 'roles.count');
    expect(cassandra).toMatchObject({
      severity: 'error',
      path: ['hosts'],
      measured: '2 hosts',
      required: 'at least 3',
    });
    expect(cassandra?.message).toContain('cassandra');
    expect(rabbitmq?.message).toContain('rabbitmq');
  });

  it('reports a database no host carries', () => {
    const finding = single(
      checkRoleCounts(
        production((input) => {
          for (const item of input.hosts) item.roles = item.roles.filter((role) => role !== 'postgresql');
        }),
      ),
      'roles.count',
    );
    expect(finding.measured).toBe('0 hosts');
    expect(finding.message).toContain('postgresql');
  });

  it('refuses an even number of control-plane hosts (etcd)', () => {
    const finding = single(
      checkRoleCounts(
        production((input) => {
          host(input, 'kubenode1').roles = ['kube-worker'];
        }),
      ),
      'roles.control-plane-odd',
    );
    expect(finding).toMatchObject({ severity: 'error', measured: '2 hosts', required: 'an odd number' });
    expect(finding.message).toContain('etcd');
  });

  it('refuses a cluster without control plane or without workers', () => {
    const noControl = checkRoleCounts(
      production((input) => {
        for (const item of input.hosts)
          item.roles = item.roles.filter((role) => role !== 'kube-control-plane');
      }),
    );
    expect(single(noControl, 'roles.count').message).toContain('kube-control-plane');

    const noWorker = checkRoleCounts(
      production((input) => {
        for (const name of ['kubenode1', 'kubenode2', 'kubenode3'])
          host(input, name).roles = ['kube-control-plane'];
      }),
    );
    expect(single(noWorker, 'roles.count')).toMatchObject({ severity: 'error', required: 'at least 1' });
    expect(single(noWorker, 'roles.count').message).toContain('kube-worker');
  });

  it('warns about fewer than three Kubernetes nodes', () => {
    const findings = checkRoleCounts(
      production((input) => {
        input.hosts = input.hosts.filter((item) => item.name !== 'kubenode2' && item.name !== 'kubenode3');
      }),
    );
    expect(findings).toHaveLength(1);
    expect(single(findings, 'roles.kube-nodes-few')).toMatchObject({
      severity: 'warning',
      measured: '1 host',
    });
  });

  it('leaves the Kubernetes counts to an existing cluster', () => {
    const findings = checkRoleCounts(
      production((input) => {
        input.kubernetes = { mode: 'existing', kubeconfig: 'kubeconfig.yaml' };
        input.hosts = input.hosts.filter((item) => !item.name.startsWith('kubenode'));
      }),
    );
    expect(findings).toEqual([]);
  });

  it('needs exactly one asset host', () => {
    const none = single(
      checkRoleCounts(
        production((input) => {
          input.hosts = input.hosts.filter((item) => item.name !== 'assethost');
        }),
      ),
      'roles.count',
    );
    expect(none).toMatchObject({ severity: 'error', measured: '0 hosts', required: 'exactly 1' });
    const two = single(
      checkRoleCounts(production((input) => void host(input, 'datanode1').roles.push('assethost'))),
      'roles.count',
    );
    expect(two).toMatchObject({ measured: '2 hosts', required: 'exactly 1' });
  });

  it('warns about an even number of elasticsearch nodes', () => {
    const findings = checkRoleCounts(
      production((input) => void input.hosts.push(datanode('datanode4', '192.168.122.34'))),
    );
    expect(findings).toHaveLength(1);
    expect(single(findings, 'roles.elasticsearch-even')).toMatchObject({
      severity: 'warning',
      measured: '4 hosts',
    });
  });

  it('puts sftd and coturn only on Kubernetes workers', () => {
    const finding = single(
      checkRoleCounts(production((input) => void host(input, 'datanode1').roles.push('sftd'))),
      'roles.calling-needs-kube',
    );
    expect(finding).toMatchObject({ severity: 'error', host: 'datanode1', path: ['hosts', 3, 'roles'] });
    expect(finding.message).toContain('sftd');
  });

  it('refuses two hosts with the same name', () => {
    const finding = single(
      checkRoleCounts(
        production((input) => {
          host(input, 'datanode2').name = 'datanode1';
        }),
      ),
      'hosts.name-unique',
    );
    expect(finding).toMatchObject({ severity: 'error', host: 'datanode1', path: ['hosts', 4, 'name'] });
    expect(finding.message).toContain('hosts[3]');
  });
});

describe('checkRoleCounts in demo mode', () => {
  it('needs exactly one host', () => {
    const finding = single(
      checkRoleCounts(
        demo((input) => {
          input.hosts.push({
            name: 'second',
            address: '192.168.122.51',
            roles: ['kube-worker', 'kube-control-plane'],
          });
        }),
      ),
      'roles.demo-single-host',
    );
    expect(finding).toMatchObject({ severity: 'error', measured: '2 hosts', required: 'exactly 1' });
  });

  it('needs both Kubernetes roles on the demo host', () => {
    const finding = single(
      checkRoleCounts(
        demo((input) => {
          host(input, 'wire-demo').roles = ['kube-control-plane'];
        }),
      ),
      'roles.demo-kube',
    );
    expect(finding).toMatchObject({ severity: 'error', host: 'wire-demo', path: ['hosts', 0, 'roles'] });
    expect(finding.message).toContain('kube-worker');
  });

  it('refuses database and asset host roles: the demo runs them in the cluster', () => {
    const findings = checkRoleCounts(
      demo((input) => void host(input, 'wire-demo').roles.push('cassandra', 'assethost')),
    );
    expect(findings).toHaveLength(1);
    const finding = single(findings, 'roles.demo-in-cluster');
    expect(finding).toMatchObject({ severity: 'error', host: 'wire-demo', path: ['hosts', 0, 'roles'] });
    expect(finding.message).toContain('cassandra and assethost');
    expect(finding.fix).toContain('mode: production');
  });
});
