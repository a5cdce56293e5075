import type { Finding } from '../core/finding.js';
import type { Host, Inventory } from '../inventory/defaults.js';
import { CALLING_ROLES, DATABASE_ROLES, isKubeRole, type Role } from '../inventory/roles.js';
import { listing, plural } from './text.js';

/**
 * How many hosts carry each role (docs/wire/inventory-and-hardware.md#inventory-groups): Wire's production layout has 3 of every
 * database, an odd etcd (on the control plane), one asset host; the demo is one VM that runs
 * the databases inside the cluster, as WIAB Dev does (docs/wire/install-sequences.md#wiab-dev).
 */

const PRODUCTION_ONLY: readonly Role[] = [...DATABASE_ROLES, 'assethost'];

function withRole(inventory: Inventory, role: Role): Host[] {
  return inventory.hosts.filter((host) => host.roles.includes(role));
}

function uniqueNames(inventory: Inventory): Finding[] {
  const first = new Map<string, number>();
  return inventory.hosts.flatMap((host, index): Finding[] => {
    const earlier = first.get(host.name);
    if (earlier === undefined) {
      first.set(host.name, index);
      return [];
    }
    return [
      {
        severity: 'error',
        rule: 'hosts.name-unique',
        host: host.name,
        path: ['hosts', index, 'name'],
        message: `hosts[${index}] and hosts[${earlier}] are both named ${host.name}; names become the real hostnames and Kubernetes node names, so each must be unique`,
        measured: `${host.name} (hosts[${earlier}] and hosts[${index}])`,
        required: 'a unique name per host',
        fix: `rename hosts[${index}] to the hostname that machine really has`,
      },
    ];
  });
}

/** sftd and coturn are pods with hostNetwork: their host must be a Kubernetes worker. */
function callingOnWorkers(inventory: Inventory): Finding[] {
  return inventory.hosts.flatMap((host, index): Finding[] => {
    const calling = CALLING_ROLES.filter((role) => host.roles.includes(role));
    if (calling.length === 0 || host.roles.includes('kube-worker')) return [];
    return [
      {
        severity: 'error',
        rule: 'roles.calling-needs-kube',
        host: host.name,
        path: ['hosts', index, 'roles'],
        message: `${host.name} has ${listing(calling)} but is not a Kubernetes worker; ${listing(calling)} ${calling.length === 1 ? 'runs as a pod' : 'run as pods'} on the node labelled for ${calling.length === 1 ? 'it' : 'them'}`,
        measured: `roles ${host.roles.join(', ')}`,
        required: 'kube-worker on every sftd or coturn host',
        fix: `add kube-worker to hosts[${index}].roles, or move ${listing(calling)} to a host that has it`,
      },
    ];
  });
}

function countError(role: string, hosts: number, required: string, why: string, fix: string): Finding {
  return {
    severity: 'error',
    rule: 'roles.count',
    path: ['hosts'],
    message: `${plural(hosts, 'host')} with role ${role}; Wire needs ${required} (${why})`,
    measured: plural(hosts, 'host'),
    required,
    fix,
  };
}

function production(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  for (const role of DATABASE_ROLES) {
    const count = withRole(inventory, role).length;
    if (count < 3) {
      const why = 'three nodes so one can fail';
      findings.push(
        countError(role, count, 'at least 3', why, `give ${role} to ${plural(3 - count, 'more host')}`),
      );
    } else if (role === 'elasticsearch' && count % 2 === 0) {
      findings.push({
        severity: 'warning',
        rule: 'roles.elasticsearch-even',
        path: ['hosts'],
        message: `${plural(count, 'host')} with role elasticsearch; with an even number of master-eligible nodes the quorum tolerates no more failures than with one node fewer`,
        measured: plural(count, 'host'),
        required: 'an odd number',
        fix: 'add elasticsearch to one more host or remove it from one',
      });
    }
  }
  const assethosts = withRole(inventory, 'assethost').length;
  if (assethosts !== 1) {
    const why = 'every other host installs packages and images from it';
    const fix =
      assethosts === 0 ? 'add assethost to the roles of one host' : 'keep assethost on one host only';
    findings.push(countError('assethost', assethosts, 'exactly 1', why, fix));
  }
  // An existing cluster is not ours: its control plane and etcd are not in the inventory.
  if (inventory.kubernetes.mode === 'bundled') findings.push(...bundledKubernetes(inventory));
  return findings;
}

function bundledKubernetes(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  const controlPlanes = withRole(inventory, 'kube-control-plane').length;
  if (controlPlanes === 0) {
    findings.push(
      countError(
        'kube-control-plane',
        0,
        'an odd number, at least 1',
        'etcd runs there',
        'add kube-control-plane to 1 or 3 hosts',
      ),
    );
  } else if (controlPlanes % 2 === 0) {
    findings.push({
      severity: 'error',
      rule: 'roles.control-plane-odd',
      path: ['hosts'],
      message: `${plural(controlPlanes, 'host')} with role kube-control-plane; etcd runs on them and must have an odd number of members`,
      measured: plural(controlPlanes, 'host'),
      required: 'an odd number',
      fix: `add kube-control-plane to one more host or remove it from one (${controlPlanes + 1} or ${controlPlanes - 1})`,
    });
  }
  if (withRole(inventory, 'kube-worker').length === 0) {
    findings.push(
      countError(
        'kube-worker',
        0,
        'at least 1',
        'Wire’s services run there',
        'add kube-worker to the kube-control-plane hosts (Wire’s examples combine them) or to other hosts',
      ),
    );
  }
  const kubeNodes = inventory.hosts.filter((host) => host.roles.some(isKubeRole)).length;
  if (kubeNodes > 0 && kubeNodes < 3) {
    findings.push({
      severity: 'warning',
      rule: 'roles.kube-nodes-few',
      path: ['hosts'],
      message: `${plural(kubeNodes, 'Kubernetes node')}; Wire's production layout has 3 so the cluster survives losing one`,
      measured: plural(kubeNodes, 'host'),
      required: 'at least 3 recommended',
      fix: 'add hosts with kube-control-plane and kube-worker until there are 3',
    });
  }
  return findings;
}

function demo(inventory: Inventory): Finding[] {
  const findings: Finding[] = [];
  if (inventory.hosts.length !== 1) {
    findings.push({
      severity: 'error',
      rule: 'roles.demo-single-host',
      path: ['hosts'],
      message: `mode demo installs on exactly one VM, but the inventory lists ${plural(inventory.hosts.length, 'host')}`,
      measured: plural(inventory.hosts.length, 'host'),
      required: 'exactly 1',
      fix: 'keep one host, or set mode: production for a multi-host installation',
    });
  }
  inventory.hosts.forEach((host, index) => {
    const missing = (['kube-control-plane', 'kube-worker'] as const).filter(
      (role) => !host.roles.includes(role),
    );
    if (missing.length > 0) {
      findings.push({
        severity: 'error',
        rule: 'roles.demo-kube',
        host: host.name,
        path: ['hosts', index, 'roles'],
        message: `${host.name} is the demo VM and runs all of Kubernetes, but lacks ${listing(missing)}`,
        measured: `roles ${host.roles.join(', ')}`,
        required: 'kube-control-plane and kube-worker',
        fix: `add ${listing(missing)} to hosts[${index}].roles`,
      });
    }
    const external = PRODUCTION_ONLY.filter((role) => host.roles.includes(role));
    if (external.length > 0) {
      findings.push({
        severity: 'error',
        rule: 'roles.demo-in-cluster',
        host: host.name,
        path: ['hosts', index, 'roles'],
        message: `${host.name} has ${listing(external)}, which mode demo does not use: the demo runs its databases inside the cluster and needs no asset host, as Wire's WIAB Dev does`,
        measured: `roles ${host.roles.join(', ')}`,
        required: 'only kube-control-plane, kube-worker, sftd, coturn',
        fix: `remove ${listing(external)} from hosts[${index}].roles, or set mode: production for separate database hosts`,
      });
    }
  });
  return findings;
}

export function checkRoleCounts(inventory: Inventory): Finding[] {
  const byMode = inventory.mode === 'demo' ? demo(inventory) : production(inventory);
  return [...uniqueNames(inventory), ...byMode, ...callingOnWorkers(inventory)];
}
