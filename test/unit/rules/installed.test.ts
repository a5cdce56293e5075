import { describe, expect, it } from 'vitest';
import { checkAgainstInstalled } from '../../../src/rules/installed.js';
import type { StateFile, StepRecord } from '../../../src/state/store.js';
import { production } from '../../support/inventories.js';

/**
 * The inventory against what was installed (state.json). The production inventory: kubenode1-3
 * are the control planes (kubenode1 first), datanode1-3 the postgresql hosts (datanode1 first).
 */
const ok = (at: string): StepRecord => ({
  status: 'succeeded',
  fingerprint: 'f',
  finishedAt: at,
  runId: 'r',
});
const installed = (steps: Record<string, Record<string, string>>): StateFile => ({
  version: 1,
  steps: Object.fromEntries(
    Object.entries(steps).map(([step, hosts]) => [
      step,
      Object.fromEntries(Object.entries(hosts).map(([host, at]) => [host, ok(at)])),
    ]),
  ),
});
const AS_INSTALLED = installed({
  'databases.postgresql-primary': { datanode1: '2026-12-01T10:00:00Z' },
  'kubernetes.init-control-plane': { kubenode1: '2026-12-01T09:00:00Z' },
  'kubernetes.join-control-planes': { kubenode2: '2026-12-01T09:05:00Z', kubenode3: '2026-12-01T09:06:00Z' },
});
const reorder = (first: string) =>
  production((input) => {
    const index = input.hosts.findIndex((host) => host.name === first);
    const [host] = input.hosts.splice(index, 1);
    if (host) input.hosts.unshift(host);
  });

describe('the inventory against what wire-install installed', () => {
  it('finds nothing for the inventory as installed, or with no state at all', () => {
    expect(checkAgainstInstalled(production(), AS_INSTALLED)).toEqual([]);
    expect(checkAgainstInstalled(reorder('datanode2'), { version: 1, steps: {} })).toEqual([]);
  });

  it('refuses another host first among the postgresql hosts: it would be made a standby of the primary', () => {
    const [finding] = checkAgainstInstalled(reorder('datanode2'), AS_INSTALLED);
    expect(finding).toMatchObject({
      severity: 'error',
      rule: 'installed.postgresql-primary',
      message:
        'the inventory makes datanode2 the PostgreSQL primary (the first postgresql host), but datanode1 is the primary wire-install set up',
    });
    expect(finding?.fix).toContain('wire-install remove-host datanode1');
  });

  it('follows a failover: the primary is where the primary step last succeeded', () => {
    const failedOver = installed({
      'databases.postgresql-primary': {
        datanode1: '2026-12-01T10:00:00Z',
        datanode2: '2026-12-02T08:00:00Z',
      },
    });
    expect(checkAgainstInstalled(reorder('datanode2'), failedOver)).toEqual([]);
  });

  it('refuses another host first among the control planes: kubeadm init would make a second cluster', () => {
    const findings = checkAgainstInstalled(reorder('kubenode2'), AS_INSTALLED);
    expect(findings.map((finding) => finding.rule)).toEqual(['installed.kubernetes-first-control-plane']);
    expect(findings[0]?.message).toContain('apply would run kubeadm init there, a second cluster');
  });

  it('warns of control planes dropped from the inventory, saying when the etcd members kept are no majority', () => {
    const oneLeft = production((input) => {
      for (const host of input.hosts)
        if (host.name === 'kubenode2' || host.name === 'kubenode3') host.roles = ['kube-worker'];
    });
    const [lost] = checkAgainstInstalled(oneLeft, AS_INSTALLED);
    // A warning: control planes taken out by hand stay in state.json, and apply must still run.
    expect(lost).toMatchObject({
      severity: 'warning',
      rule: 'installed.etcd-members',
      measured: '1 of 3 members kept',
    });
    expect(lost?.message).toContain('the change would lose quorum');
    const twoLeft = production((input) => {
      for (const host of input.hosts) if (host.name === 'kubenode3') host.roles = ['kube-worker'];
    });
    expect(checkAgainstInstalled(twoLeft, AS_INSTALLED)).toMatchObject([
      { severity: 'warning', rule: 'installed.etcd-members', measured: '2 of 3 members kept' },
    ]);
  });

  it('refuses a MinIO host added to or dropped from the installed pool, naming both', () => {
    const pool = installed({
      'databases.minio-install': {
        datanode1: '2026-12-01T10:00:00Z',
        datanode2: '2026-12-01T10:00:00Z',
        datanode3: '2026-12-01T10:00:00Z',
      },
    });
    expect(checkAgainstInstalled(production(), pool)).toEqual([]);
    const grown = production((input) => {
      input.hosts.push({ name: 'datanode4', address: '192.168.122.34', roles: ['minio'] });
    });
    const [finding] = checkAgainstInstalled(grown, pool);
    expect(finding).toMatchObject({ severity: 'error', rule: 'installed.minio-pool' });
    expect(finding?.message).toContain(
      'the inventory changes the MinIO server pool of datanode1, datanode2, datanode3: it adds datanode4;',
    );
    const shrunk = production((input) => {
      for (const host of input.hosts)
        if (host.name === 'datanode3') host.roles = host.roles.filter((role) => role !== 'minio');
    });
    expect(checkAgainstInstalled(shrunk, pool)[0]?.message).toContain('it drops datanode3;');
  });
});
