import { kubernetesBundled } from '../conditions.js';
import { BOTH_MODES, type StepDefinition } from '../types.js';

/**
 * Bootstrap: the host settings Wire's playbooks make before any service is installed.
 * apt sources come first among the package-installing steps: time sync installs its NTP
 * server from the bundle's repository, which the assets stage has just started serving.
 */
export const bootstrapHostSteps: readonly StepDefinition[] = [
  {
    id: 'bootstrap-host.hostname',
    stage: 'bootstrap-host',
    title: 'Set the hostname to the inventory name',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: 'RabbitMQ needs inventory names to equal real hostnames; Wire playbooks rename hosts',
  },
  {
    id: 'bootstrap-host.etc-hosts',
    stage: 'bootstrap-host',
    title: "Write every host's name and private address into /etc/hosts",
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: "RabbitMQ nodes find each other by hostname (Wire's rabbitmq-cluster configure_dns.yml)",
  },
  {
    id: 'bootstrap-host.apt-sources',
    stage: 'bootstrap-host',
    title: "Point apt at the bundle's repository only",
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: 'setup-offline-sources.yml replaces sources.list with http://<assethost>:8080/debs-jammy and its key',
  },
  {
    id: 'bootstrap-host.time-sync',
    stage: 'bootstrap-host',
    title: 'Synchronise clocks with NTP (the first host serves the time)',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: "Time sync is critical for Cassandra; Wire's sync_time.yml makes the first node authoritative",
  },
  {
    id: 'bootstrap-host.swap-off',
    stage: 'bootstrap-host',
    title: 'Turn swap off, now and after reboot',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: ['kube-control-plane', 'kube-worker'] },
    order: 'parallel',
    when: kubernetesBundled,
    why: "kubelet does not run with swap on; kubespray's preinstall, which Wire runs, turns it off",
  },
  {
    id: 'bootstrap-host.kernel-settings',
    stage: 'bootstrap-host',
    title: 'Load overlay and br_netfilter; enable IP forwarding and bridge netfilter',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: ['kube-control-plane', 'kube-worker'] },
    order: 'parallel',
    when: kubernetesBundled,
    why: 'containerd and the pod network need them; Wire requires IP forwarding on Kubernetes hosts',
  },
];
