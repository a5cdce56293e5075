import { nodeName as rabbitNode } from '../../wire/rabbitmq.js';
import { fail, pass } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { commandFailed, databaseHosts, databaseSkipReason, runOn } from './database-hosts.js';

/**
 * databases.rabbitmq: every rabbitmq host's node running and in one cluster (docs/wire/health-and-ports.md#health-checks;
 * `rabbitmqctl cluster_status`, as databases.rabbitmq-health asks it). Each node is asked, so
 * the result names the node that is down or outside the others' cluster, not the one asked.
 */
const ID = 'databases.rabbitmq';
const STATUS = 'rabbitmqctl cluster_status --formatter json';
const FIX_DOWN = (host: string) =>
  `on ${host}: systemctl start rabbitmq-server; see why it stopped: journalctl -u rabbitmq-server -n 50`;

/** One node's answer: the nodes it sees running, or why it did not answer and whether its service runs. */
type View = { running: string[] } | { error: unknown; service: string };

export function rabbitResults(hosts: string[], views: ReadonlyMap<string, View>): DoctorResult[] {
  const answering = [...views].flatMap(([host, view]) => ('running' in view ? [{ host, view }] : []));
  return hosts.flatMap((host) => {
    const view = views.get(host);
    if (!view) return [];
    if ('error' in view) {
      const down = commandFailed(ID, host, view.error, FIX_DOWN(host));
      return [
        { ...down, evidence: [...down.evidence, `systemctl is-active rabbitmq-server: ${view.service}`] },
      ];
    }
    const node = rabbitNode(host);
    const evidence = answering.map(
      (other) => `running_nodes on ${other.host}: ${other.view.running.join(', ')}`,
    );
    const missingFrom = answering.filter((other) => !other.view.running.includes(node)).map((o) => o.host);
    if (missingFrom.length === 0) return [pass(ID, `${node} is running in the cluster`, { host, evidence })];
    return [
      fail(
        ID,
        `${node} runs but is not in the cluster that ${missingFrom.join(', ')} see${missingFrom.length === 1 ? 's' : ''}`,
        `on ${host}: rabbitmqctl cluster_status; wire-install apply --only databases.rabbitmq-cluster joins it (the Erlang cookie and /etc/hosts must agree)`,
        { host, evidence },
      ),
    ];
  });
}

async function view(context: DoctorContext, remote: Parameters<typeof runOn>[1]): Promise<View> {
  try {
    const status = JSON.parse(await runOn(context, remote, 'rabbitmqctl cluster_status', STATUS)) as {
      running_nodes?: string[];
    };
    return { running: status.running_nodes ?? [] };
  } catch (error) {
    // Why it does not answer: whether the service runs at all is the first thing to know.
    const active = await remote.exec('systemctl is-active rabbitmq-server', { signal: context.signal });
    return { error, service: active.stdout.trim() || active.stderr.trim() };
  }
}

export const databasesRabbitmq: DoctorCheck = {
  id: ID,
  group: 'databases',
  title: 'every RabbitMQ node running, all in one cluster',
  needsHosts: true,
  skipReason: (context) => databaseSkipReason(context, 'rabbitmq', 'databases.rabbitmq-install'),
  async run(context) {
    const { connected, results } = databaseHosts(context, ID, 'rabbitmq');
    const views = new Map<string, View>();
    for (const { host, remote } of connected) views.set(host.name, await view(context, remote));
    return [
      ...rabbitResults(
        connected.map((c) => c.host.name),
        views,
      ),
      ...results,
    ];
  },
};
