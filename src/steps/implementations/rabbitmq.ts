import { shellQuote } from '../../hosts/become.js';
import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { fileOperation } from '../../operations/file.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { runOrFail } from '../../operations/run.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation, OperationContext } from '../../operations/types.js';
import type { WireSecrets } from '../../secrets/generate.js';
import { sha256Text } from '../../state/fingerprint.js';
import { templateOperation } from '../../templates/load.js';

/**
 * RabbitMQ on the rabbitmq hosts (Wire's rabbitmq.yml, docs/wire/install-sequences.md#rabbitmq-install): the package (not
 * started by apt), the shared Erlang cookie from secrets.yaml, a configuration naming every
 * node, then the service, one node at a time, so each finds the ones before it and joins their
 * cluster. On the first node: the user wire-server uses (password on stdin), and no guest.
 */
const COOKIE = '/var/lib/rabbitmq/.erlang.cookie';
const CONF = '/etc/rabbitmq/rabbitmq.conf';

export const rabbitHosts = (inventory: Inventory) => hostsWithRole(inventory, 'rabbitmq');
export const nodeName = (host: string) => `rabbit@${host}`;

export function rabbitmqConfigNodes(inventory: Inventory): string {
  return rabbitHosts(inventory)
    .map((host, index) => `cluster_formation.classic_config.nodes.${index + 1} = ${nodeName(host.name)}`)
    .join('\n');
}

async function hasRabbitUser(context: OperationContext, name: string): Promise<boolean> {
  const users = await runOrFail(
    context.host,
    'listing RabbitMQ users',
    'rabbitmqctl list_users --quiet --no-table-headers',
  );
  return users.stdout.split('\n').some((line) => line.split(/\s/)[0] === name);
}

/** A user whose password is given on stdin (never argv), checked with authenticate_user. */
function rabbitUserOperation(username: string, password: string): Operation {
  const user = shellQuote(username);
  const exists = (context: OperationContext) => hasRabbitUser(context, username);
  const look = async (context: OperationContext) => {
    if (!(await exists(context))) return [`create RabbitMQ user ${username}`];
    const auth = await context.host.exec(`rabbitmqctl authenticate_user ${user}`, { stdin: `${password}\n` });
    return auth.exitCode === 0 ? [] : [`set the password of RabbitMQ user ${username}`];
  };
  return {
    kind: 'rabbitmq-user',
    target: username,
    inputs: { username, password: sha256Text(password) },
    async check(context) {
      return { changes: await look(context), notes: [] };
    },
    async apply(context) {
      const changes = await look(context);
      for (const change of changes) {
        const command = change.startsWith('create')
          ? `rabbitmqctl add_user ${user}`
          : `rabbitmqctl change_password ${user}`;
        await runOrFail(context.host, change, command, { stdin: `${password}\n` });
      }
      const permissions = await runOrFail(
        context.host,
        'reading RabbitMQ permissions',
        `rabbitmqctl list_user_permissions ${user} --quiet --no-table-headers`,
      );
      if (!/^\/\s+\.\*\s+\.\*\s+\.\*$/m.test(permissions.stdout)) {
        await runOrFail(
          context.host,
          'granting permissions',
          `rabbitmqctl set_permissions -p / ${user} '.*' '.*' '.*'`,
        );
        changes.push(`grant ${username} all permissions on vhost /`);
      }
      return { changes, notes: [] };
    },
  };
}

function noGuestOperation(): Operation {
  const guest = (context: OperationContext) => hasRabbitUser(context, 'guest');
  return {
    kind: 'rabbitmq-user',
    target: 'guest (removed)',
    inputs: { remove: 'guest' },
    async check(context) {
      return { changes: (await guest(context)) ? ['remove RabbitMQ user guest'] : [], notes: [] };
    },
    async apply(context) {
      if (!(await guest(context))) return { changes: [], notes: [] };
      await runOrFail(context.host, 'removing the guest user', 'rabbitmqctl delete_user guest');
      return { changes: ['remove RabbitMQ user guest'], notes: [] };
    },
  };
}

export function rabbitmqInstall(inventory: Inventory, hostName: string, secrets: WireSecrets): Operation[] {
  const first = rabbitHosts(inventory)[0]?.name === hostName;
  return [
    aptPackageOperation({ name: 'rabbitmq-server' }),
    fileOperation({
      path: COOKIE,
      content: secrets.rabbitmq.erlangCookie,
      mode: 0o400,
      owner: 'rabbitmq',
      group: 'rabbitmq',
    }),
    templateOperation(
      'rabbitmq/rabbitmq.conf',
      { nodes: rabbitmqConfigNodes(inventory) },
      { path: CONF, mode: 0o644 },
    ),
    systemdUnitOperation({
      unit: 'rabbitmq-server.service',
      enabled: true,
      running: true,
      restartWhenChanged: [COOKIE, CONF],
    }),
    ...(first
      ? [rabbitUserOperation(secrets.rabbitmq.username, secrets.rabbitmq.password), noGuestOperation()]
      : []),
  ];
}

/** A node that is not in the first node's cluster (it had data of its own) joins it. */
export function rabbitmqJoin(inventory: Inventory): Operation[] {
  const first = rabbitHosts(inventory)[0]?.name ?? '';
  const joined = `rabbitmqctl cluster_status --formatter json | grep -q '"running_nodes":\\[[^]]*"${nodeName(first)}"'`;
  return [
    {
      kind: 'rabbitmq-cluster',
      target: `join ${nodeName(first)}`,
      inputs: { first },
      async check(context) {
        const ok = (await context.host.exec(joined)).exitCode === 0;
        return { changes: ok ? [] : [`join the cluster of ${nodeName(first)}`], notes: [] };
      },
      async apply(context) {
        if ((await context.host.exec(joined)).exitCode === 0) return { changes: [], notes: [] };
        await runOrFail(
          context.host,
          `joining ${nodeName(first)}`,
          `rabbitmqctl stop_app && rabbitmqctl join_cluster ${nodeName(first)} && rabbitmqctl start_app`,
        );
        return { changes: [`join the cluster of ${nodeName(first)}`], notes: [] };
      },
    },
  ];
}

/** Every rabbitmq host running in one cluster, asked on the first (docs/wire/health-and-ports.md#health-checks). */
export function rabbitmqHealth(inventory: Inventory): Operation[] {
  const expected = rabbitHosts(inventory).map((host) => nodeName(host.name));
  return [
    remoteCheck('RabbitMQ cluster', async (context) => {
      const result = await runOrFail(
        context.host,
        'reading the cluster status',
        'rabbitmqctl cluster_status --formatter json',
      );
      const status = JSON.parse(result.stdout) as { running_nodes?: string[] };
      const running = status.running_nodes ?? [];
      const missing = expected.filter((node) => !running.includes(node));
      if (missing.length === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'databases.rabbitmq-cluster',
          host: context.host.name,
          message: `RabbitMQ nodes not running in the cluster: ${missing.join(', ')}`,
          measured: `running: ${running.join(', ') || 'none'}`,
          required: expected.join(', '),
          fix: `look at the missing nodes: systemctl status rabbitmq-server; rabbitmqctl cluster_status (the Erlang cookie and /etc/hosts must agree)`,
        },
      ];
    }),
  ];
}
