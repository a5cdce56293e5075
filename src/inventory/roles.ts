/**
 * Host roles. Names follow what the host does, not Ansible's group names; the mapping to
 * Wire's groups is in docs/inventory.md (kube-control-plane = kube-master + etcd,
 * kube-worker = kube-node, rabbitmq = rmq-cluster).
 */
export const KUBE_ROLES = ['kube-control-plane', 'kube-worker'] as const;
export const DATABASE_ROLES = ['cassandra', 'elasticsearch', 'minio', 'postgresql', 'rabbitmq'] as const;
export const CALLING_ROLES = ['sftd', 'coturn'] as const;
export const ROLES = [...KUBE_ROLES, ...DATABASE_ROLES, 'assethost', ...CALLING_ROLES] as const;

export type Role = (typeof ROLES)[number];
export type KubeRole = (typeof KUBE_ROLES)[number];
export type DatabaseRole = (typeof DATABASE_ROLES)[number];
export type CallingRole = (typeof CALLING_ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  'kube-control-plane': 'Kubernetes control plane and etcd member',
  'kube-worker': 'Kubernetes worker running Wire services',
  cassandra: 'Cassandra database node',
  elasticsearch: 'Elasticsearch node (user search)',
  minio: 'MinIO object storage node (assets)',
  postgresql: 'PostgreSQL node (first listed is the primary, the others stream from it)',
  rabbitmq: 'RabbitMQ cluster node',
  assethost: 'serves the offline bundle (apt repository, binaries, images) to the other hosts',
  sftd: 'conference calling server (SFT) runs on this Kubernetes node',
  coturn: 'TURN server runs on this Kubernetes node',
};

export function isKubeRole(role: Role): role is KubeRole {
  return (KUBE_ROLES as readonly string[]).includes(role);
}
