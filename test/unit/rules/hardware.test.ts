import { describe, expect, it } from 'vitest';
import { checkHardware } from '../../../src/rules/hardware.js';
import { DEMO_SIZING, PRODUCTION_SIZING, sizingForRole } from '../../../src/rules/hardware-table.js';
import { demo, host, production, single } from './fixtures.js';

describe('hardware table', () => {
  it('keeps the decided thresholds: smallest Wire figure is the minimum, largest the recommendation', () => {
    expect(PRODUCTION_SIZING['kube-node'].diskGiB).toMatchObject({
      minimum: { value: 40 },
      recommended: { value: 80 },
    });
    expect(PRODUCTION_SIZING.cassandra.cpus).toMatchObject({
      minimum: { value: 1 },
      recommended: { value: 2 },
    });
    expect(PRODUCTION_SIZING.postgresql.diskGiB).toMatchObject({
      minimum: { value: 50 },
      recommended: { value: 80 },
    });
    // Only Wire's draft planning pages size RabbitMQ (docs/wire/inventory-and-hardware.md#sizing-in-the-draft-docs).
    expect(PRODUCTION_SIZING.rabbitmq.memoryGiB.minimum.source).toBe("Wire's draft planning docs");
    expect(DEMO_SIZING.diskGiB).toMatchObject({ minimum: { value: 20 }, recommended: { value: 200 } });
    expect(sizingForRole('kube-worker')).toBe(PRODUCTION_SIZING['kube-node']);
    expect(sizingForRole('sftd')).toBeUndefined();
  });
});

describe('checkHardware', () => {
  it('finds nothing in the valid production and demo inventories', () => {
    expect(checkHardware(production())).toEqual([]);
    expect(checkHardware(demo())).toEqual([]);
  });

  it('reports a kube node declared with 4 GiB memory as an error with both values', () => {
    const findings = checkHardware(
      production((input) => {
        host(input, 'kubenode1').resources = { cpus: 6, memoryGiB: 4, diskGiB: 80 };
      }),
    );
    expect(findings).toHaveLength(1);
    const finding = single(findings, 'hardware.memory');
    expect(finding).toMatchObject({
      severity: 'error',
      host: 'kubenode1',
      path: ['hosts', 0, 'resources', 'memoryGiB'],
      measured: '4 GiB',
      required: 'at least 8 GiB (kube-control-plane)',
    });
    expect(finding.message).toContain('kubenode1');
    expect(finding.message).toContain('4 GiB');
    expect(finding.fix).toContain('8 GiB');
  });

  it('warns between the smallest and the largest figure Wire gives', () => {
    const finding = single(
      checkHardware(
        production((input) => {
          host(input, 'kubenode3').resources = { diskGiB: 60 };
        }),
      ),
      'hardware.disk',
    );
    expect(finding).toMatchObject({
      severity: 'warning',
      host: 'kubenode3',
      path: ['hosts', 2, 'resources', 'diskGiB'],
    });
    expect(finding.required).toContain('80 GiB');
    expect(finding.message).toContain("(Wire's draft planning docs)");
  });

  it('takes the strictest role of a host: rabbitmq needs 2 vCPUs where cassandra needs 1', () => {
    const finding = single(
      checkHardware(
        production((input) => {
          host(input, 'datanode2').resources = { cpus: 1 };
        }),
      ),
      'hardware.cpus',
    );
    expect(finding).toMatchObject({ severity: 'error', host: 'datanode2', measured: '1 vCPU' });
    expect(finding.required).toBe('at least 2 vCPUs (rabbitmq)');
  });

  it('warns for a host with one role below its recommendation only', () => {
    const findings = checkHardware(
      production((input) => {
        const node = host(input, 'datanode1');
        node.roles = ['cassandra'];
        node.resources = { cpus: 1, memoryGiB: 4, diskGiB: 80 };
      }),
    );
    expect(findings).toHaveLength(1);
    expect(single(findings, 'hardware.cpus')).toMatchObject({
      severity: 'warning',
      required: '2 vCPUs recommended (cassandra)',
    });
  });

  it('warns when roles sharing a host add up to more than it declares', () => {
    const findings = checkHardware(
      production((input) => {
        host(input, 'datanode1').resources = { memoryGiB: 10 };
      }),
    );
    expect(findings).toHaveLength(1);
    const finding = single(findings, 'hardware.shared');
    expect(finding).toMatchObject({
      severity: 'warning',
      host: 'datanode1',
      path: ['hosts', 3, 'resources', 'memoryGiB'],
      measured: '10 GiB',
    });
    // 2 + 2 + 2 + 2 + 4 GiB for cassandra, elasticsearch, minio, postgresql, rabbitmq
    expect(finding.required).toContain('12 GiB');
    expect(finding.message).toContain('separate VMs');
  });

  it('counts the two Kubernetes roles as one VM but a database beside them as another', () => {
    const findings = checkHardware(
      production((input) => {
        const node = host(input, 'kubenode1');
        node.roles.push('cassandra');
        node.resources = { cpus: 6 };
      }),
    );
    // kube-control-plane + kube-worker alone would need 6; cassandra's 1 makes 7
    expect(findings).toHaveLength(1);
    expect(single(findings, 'hardware.shared')).toMatchObject({
      path: ['hosts', 0, 'resources', 'cpus'],
      required: 'at least 7 vCPUs (sum for kube-control-plane, cassandra)',
    });
  });

  it('says nothing about resources that are not declared', () => {
    const inventory = production((input) => {
      for (const item of input.hosts) item.resources = undefined;
    });
    expect(checkHardware(inventory)).toEqual([]);
  });

  it('checks the demo VM against the demo sizing, whatever its roles', () => {
    const findings = checkHardware(
      demo((input) => {
        host(input, 'wire-demo').resources = { cpus: 4, memoryGiB: 12 };
      }),
    );
    expect(single(findings, 'hardware.cpus')).toMatchObject({
      severity: 'error',
      measured: '4 vCPUs',
      required: 'at least 8 vCPUs (demo)',
    });
    expect(single(findings, 'hardware.memory')).toMatchObject({
      severity: 'warning',
      required: '16 GiB recommended (demo)',
    });
    expect(findings).toHaveLength(2);
  });
});
