import { hostsWithRole, type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { isKubeRole, type Role } from '../../inventory/roles.js';
import { ROLE_PORTS } from '../../preflight/host-checks.js';
import type { StepId } from '../../steps/registry.js';

/**
 * Which TCP ports each host must reach on the others, from the roles (docs/wire/health-and-ports.md#ports-and-firewall): the
 * Kubernetes nodes talk to the databases, the databases of one kind to each other, the workers
 * to the API servers, the control planes to each other's etcd, every host to the asset host.
 * A host does not probe itself (its own traffic never crosses a firewall between hosts).
 */

type From = 'kube' | 'all' | Role;

interface RolePortRule {
  from: From;
  role: Role;
  port: number;
  /** How to look at the service behind the port on its host. */
  look: string;
  /** The step that makes the port's service listen on `host` (until it succeeded, nothing listens). */
  installedBy(inventory: Inventory, host: string): StepId;
}

const step = (id: StepId) => () => id;
const firstOr = (role: Role, first: StepId, others: StepId) => (inventory: Inventory, host: string) =>
  hostsWithRole(inventory, role)[0]?.name === host ? first : others;
const controlPlaneStep = firstOr(
  'kube-control-plane',
  'kubernetes.init-control-plane',
  'kubernetes.join-control-planes',
);
const KUBE_API_LOOK = 'systemctl status kubelet; crictl ps --name kube-apiserver';
const ETCD_LOOK = 'systemctl status kubelet; crictl ps --name etcd';

export const ROLE_PORT_RULES: readonly RolePortRule[] = [
  {
    from: 'kube',
    role: 'cassandra',
    port: 9042,
    look: 'systemctl status cassandra; journalctl -u cassandra',
    installedBy: step('databases.cassandra-start'),
  },
  {
    from: 'kube',
    role: 'elasticsearch',
    port: 9200,
    look: 'systemctl status elasticsearch',
    installedBy: step('databases.elasticsearch-install'),
  },
  {
    from: 'kube',
    role: 'minio',
    port: 9000,
    look: 'systemctl status minio-server1',
    installedBy: step('databases.minio-install'),
  },
  {
    from: 'kube',
    role: 'rabbitmq',
    port: 5672,
    look: 'systemctl status rabbitmq-server',
    installedBy: step('databases.rabbitmq-install'),
  },
  {
    from: 'kube',
    role: 'postgresql',
    port: 5432,
    look: 'systemctl status postgresql',
    installedBy: firstOr('postgresql', 'databases.postgresql-primary', 'databases.postgresql-standbys'),
  },
  {
    from: 'cassandra',
    role: 'cassandra',
    port: 7000,
    look: 'systemctl status cassandra; nodetool status',
    installedBy: step('databases.cassandra-start'),
  },
  {
    from: 'elasticsearch',
    role: 'elasticsearch',
    port: 9300,
    look: 'systemctl status elasticsearch',
    installedBy: step('databases.elasticsearch-install'),
  },
  {
    from: 'rabbitmq',
    role: 'rabbitmq',
    port: 25672,
    look: 'systemctl status rabbitmq-server',
    installedBy: step('databases.rabbitmq-install'),
  },
  {
    from: 'kube-worker',
    role: 'kube-control-plane',
    port: 6443,
    look: KUBE_API_LOOK,
    installedBy: controlPlaneStep,
  },
  {
    from: 'kube-control-plane',
    role: 'kube-control-plane',
    port: 2379,
    look: ETCD_LOOK,
    installedBy: controlPlaneStep,
  },
  {
    from: 'kube-control-plane',
    role: 'kube-control-plane',
    port: 2380,
    look: ETCD_LOOK,
    installedBy: controlPlaneStep,
  },
  {
    from: 'all',
    role: 'assethost',
    port: 8080,
    look: 'systemctl status serve-assets',
    installedBy: step('assets.serve'),
  },
];

/** One probe to run: from a host, to another host's port of a role. */
export interface RolePortProbe {
  from: string;
  to: string;
  address: string;
  port: number;
  role: Role;
  /** What listens there, e.g. "Cassandra (CQL)". */
  what: string;
  look: string;
  installedBy: string;
}

/** Every probe of the inventory, grouped by the host that runs it (inventory order, no duplicates). */
export function rolePortProbes(inventory: Inventory): Map<string, RolePortProbe[]> {
  const byHost = new Map<string, RolePortProbe[]>();
  for (const from of inventory.hosts) {
    const probes: RolePortProbe[] = [];
    const seen = new Set<string>();
    for (const rule of ROLE_PORT_RULES) {
      const applies =
        rule.from === 'all' ||
        (rule.from === 'kube' ? from.roles.some(isKubeRole) : from.roles.includes(rule.from));
      if (!applies) continue;
      for (const to of hostsWithRole(inventory, rule.role)) {
        const key = `${to.name}:${rule.port}`;
        if (to.name === from.name || seen.has(key)) continue;
        seen.add(key);
        probes.push({
          from: from.name,
          to: to.name,
          address: trafficAddress(to),
          port: rule.port,
          role: rule.role,
          what: ROLE_PORTS[rule.role]?.find((owner) => owner.port === rule.port)?.what ?? `${rule.role}`,
          look: rule.look,
          installedBy: rule.installedBy(inventory, to.name),
        });
      }
    }
    byHost.set(from.name, probes);
  }
  return byHost;
}
