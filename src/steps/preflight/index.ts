import { kubernetesExisting } from '../conditions.js';
import { BOTH_MODES, type StepDefinition } from '../types.js';

/**
 * Preflight: everything that can stop an install is checked before any host is changed.
 * (The inventory itself has already been checked against Wire's rules before planning.)
 */
export const preflightSteps: readonly StepDefinition[] = [
  {
    id: 'preflight.bundle',
    stage: 'preflight',
    title: 'Check the offline bundle: charts, values, tarballs, version',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Every package, binary, image and chart comes from Wire's offline bundle; its wire-server chart must match wire.version",
  },
  {
    id: 'preflight.admin-tools',
    stage: 'preflight',
    title: 'Check helm and kubectl on the admin host',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Wire installs charts with helm and checks the cluster with kubectl from the admin host (Wire's admin image ships both)",
  },
  {
    id: 'preflight.secrets',
    stage: 'preflight',
    title: 'Check secrets.yaml: present, mode 0600, every key this inventory needs',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: 'zauth keys, TURN secret, MinIO and PostgreSQL credentials, MLS removal keys feed the values (the keys offline-secrets.sh generates)',
  },
  {
    id: 'preflight.ssh',
    stage: 'preflight',
    title: 'Connect over SSH: verified host key, sudo works',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: "Wire's playbooks reach every host over SSH with passwordless sudo or a become password",
  },
  {
    id: 'preflight.host-facts',
    stage: 'preflight',
    title: 'Measure each host: OS, CPUs, memory, disk, addresses, firewall',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: "Ubuntu 22.04 amd64, Wire's sizing per role, a static private IP, no host firewall in the way",
  },
  {
    id: 'preflight.existing-cluster',
    stage: 'preflight',
    title: 'Check the existing cluster: API reachable, version, nodes Ready',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    when: kubernetesExisting,
    why: 'wire-server needs Kubernetes 1.27 or later since 5.26, and every node Ready before charts go in',
  },
  {
    id: 'preflight.dns',
    stage: 'preflight',
    title: 'Resolve the DNS names Wire needs under the domain',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "nginz-https, nginz-ssl, webapp, assets, account, teams (+ sftd, federator) must point at the ingress (as WIAB Dev's DNS check asks)",
  },
];
