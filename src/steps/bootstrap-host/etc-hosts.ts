import { type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { managedBlockOperation } from '../../operations/managed-block.js';
import type { Operation } from '../../operations/types.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const etcHostsStep = defineStep({
  id: 'bootstrap-host.etc-hosts',
  stage: 'bootstrap-host',
  title: "Write every host's name and private address into /etc/hosts",
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: "RabbitMQ nodes find each other by hostname (Wire's rabbitmq-cluster configure_dns.yml)",
  operations: (inventory) => etcHosts(inventory),
});

/** Every host's private address and name, so RabbitMQ and the databases find each other by name. */
const etcHosts = (inventory: Inventory): Operation[] => [
  managedBlockOperation({
    path: '/etc/hosts',
    name: 'hosts',
    lines: inventory.hosts.map((other) => `${trafficAddress(other)} ${other.name}`),
    mode: 0o644,
  }),
];
