import type { Inventory } from '../../../inventory/defaults.js';
import { runOrFail } from '../../../operations/run.js';
import type { Operation } from '../../../operations/types.js';
import { nodeName, rabbitHosts } from '../../../wire/rabbitmq.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const rabbitmqClusterStep = defineStep({
  id: 'databases.rabbitmq-cluster',
  stage: 'databases',
  title: 'Join any node not yet in the cluster to the first, one at a time',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['rabbitmq'] },
  order: 'after-first-serial',
  why: 'rabbitmq_cluster_master is one of the rmq hostnames; the others join it',
  operations: (inventory) => rabbitmqJoin(inventory),
});

/** A node that is not in the first node's cluster (it had data of its own) joins it. */
function rabbitmqJoin(inventory: Inventory): Operation[] {
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
