import { hostsWithRole, type Inventory } from '../inventory/defaults.js';
import { runOrFail } from '../operations/run.js';
import type { OperationContext } from '../operations/types.js';

/**
 * RabbitMQ as Wire runs it on the rabbitmq hosts (Wire's rabbitmq.yml,
 * docs/wire/install-sequences.md#rabbitmq-install): what apply's steps, doctor and upgrade's
 * backups share: the hosts, the node names, the configuration files.
 */
export const RABBITMQ_COOKIE = '/var/lib/rabbitmq/.erlang.cookie';
export const RABBITMQ_CONF = '/etc/rabbitmq/rabbitmq.conf';

export const rabbitHosts = (inventory: Inventory) => hostsWithRole(inventory, 'rabbitmq');
export const nodeName = (host: string) => `rabbit@${host}`;

export function rabbitmqConfigNodes(inventory: Inventory): string {
  return rabbitHosts(inventory)
    .map((host, index) => `cluster_formation.classic_config.nodes.${index + 1} = ${nodeName(host.name)}`)
    .join('\n');
}

export async function hasRabbitUser(context: OperationContext, name: string): Promise<boolean> {
  const users = await runOrFail(
    context.host,
    'listing RabbitMQ users',
    'rabbitmqctl list_users --quiet --no-table-headers',
  );
  return users.stdout.split('\n').some((line) => line.split(/\s/)[0] === name);
}
