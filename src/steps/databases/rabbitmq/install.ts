import { shellQuote } from '../../../hosts/become.js';
import type { Inventory } from '../../../inventory/defaults.js';
import { aptPackageOperation } from '../../../operations/apt.js';
import { fileOperation } from '../../../operations/file.js';
import { runOrFail } from '../../../operations/run.js';
import { systemdUnitOperation } from '../../../operations/systemd.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import { sha256Text } from '../../../state/fingerprint.js';
import { templateOperation } from '../../../templates/load.js';
import {
  hasRabbitUser,
  RABBITMQ_CONF,
  RABBITMQ_COOKIE,
  rabbitHosts,
  rabbitmqConfigNodes,
} from '../../../wire/rabbitmq.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

/**
 * RabbitMQ on the rabbitmq hosts (Wire's rabbitmq.yml, docs/wire/install-sequences.md#rabbitmq-install): the package (not
 * started by apt), the shared Erlang cookie from secrets.yaml, a configuration naming every
 * node, then the service, one node at a time, so each finds the ones before it and joins their
 * cluster. On the first node: the user wire-server uses (password on stdin), and no guest.
 */
export const rabbitmqInstallStep = defineStep({
  id: 'databases.rabbitmq-install',
  stage: 'databases',
  title: 'Install RabbitMQ with the shared Erlang cookie; start nodes one by one',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['rabbitmq'] },
  // One at a time: each node's first start finds the nodes before it and joins their cluster.
  order: 'serial',
  why: "Cluster nodes share one Erlang cookie; Wire's role hard-codes one, wire-install generates it",
  needs: ['secrets'],
  operations: (inventory, host, options) => rabbitmqInstall(inventory, host.name, options.secrets),
});

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

function rabbitmqInstall(inventory: Inventory, hostName: string, secrets: WireSecrets): Operation[] {
  const first = rabbitHosts(inventory)[0]?.name === hostName;
  return [
    aptPackageOperation({ name: 'rabbitmq-server' }),
    fileOperation({
      path: RABBITMQ_COOKIE,
      content: secrets.rabbitmq.erlangCookie,
      mode: 0o400,
      owner: 'rabbitmq',
      group: 'rabbitmq',
    }),
    templateOperation(
      'rabbitmq/rabbitmq.conf',
      { nodes: rabbitmqConfigNodes(inventory) },
      { path: RABBITMQ_CONF, mode: 0o644 },
    ),
    systemdUnitOperation({
      unit: 'rabbitmq-server.service',
      enabled: true,
      running: true,
      restartWhenChanged: [RABBITMQ_COOKIE, RABBITMQ_CONF],
    }),
    ...(first
      ? [rabbitUserOperation(secrets.rabbitmq.username, secrets.rabbitmq.password), noGuestOperation()]
      : []),
  ];
}
