import type { Finding } from '../../../core/finding.js';
import type { Inventory } from '../../../inventory/defaults.js';
import { remoteCheck } from '../../../operations/remote-check.js';
import { runOrFail } from '../../../operations/run.js';
import type { Operation } from '../../../operations/types.js';
import { nodeName, rabbitHosts } from '../../../wire/rabbitmq.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const rabbitmqHealthStep = defineStep({
  id: 'databases.rabbitmq-health',
  stage: 'databases',
  title: 'Check RabbitMQ: every node running in one cluster',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['rabbitmq'] },
  order: 'first-host-only',
  why: 'brig, cannon, gundeck and background-worker need the cluster',
  alwaysRun: true,
  operations: (inventory) => rabbitmqHealth(inventory),
});

/** Every rabbitmq host running in one cluster, asked on the first (docs/wire/health-and-ports.md#health-checks). */
function rabbitmqHealth(inventory: Inventory): Operation[] {
  const expected = rabbitHosts(inventory).map((host) => nodeName(host.name));
  return [
    remoteCheck('RabbitMQ cluster', async (context, mode) => {
      const result = await runOrFail(
        context.host,
        'reading the cluster status',
        'rabbitmqctl cluster_status --formatter json',
      );
      const status = JSON.parse(result.stdout) as { running_nodes?: string[]; disk_nodes?: string[] };
      const running = status.running_nodes ?? [];
      let missing = expected.filter((node) => !running.includes(node));
      if (missing.length === 0) return [];
      const findings: Finding[] = [];
      if (mode === 'check') {
        // A node added to the inventory has never been a member (not among disk_nodes) until this
        // run's install and cluster steps join it: in a plan it is not running yet, and not broken.
        const members = status.disk_nodes ?? running;
        const added = missing.filter((node) => !members.includes(node));
        missing = missing.filter((node) => members.includes(node));
        if (added.length > 0)
          findings.push({
            severity: 'warning',
            rule: 'databases.rabbitmq-cluster',
            host: context.host.name,
            message: `RabbitMQ nodes that have never been cluster members, so not running: ${added.join(', ')}`,
            fix: 'none: apply installs and joins them, then checks the cluster',
          });
        if (missing.length === 0) return findings;
      }
      return [
        ...findings,
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
