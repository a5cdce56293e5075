import { WireInstallError } from '../core/errors.js';
import type { EngineStage, EngineStep } from '../engine/types.js';
import { lastLines, runOrFail } from '../operations/run.js';
import type { Operation } from '../operations/types.js';
import { nodeName } from '../wire/rabbitmq.js';
import type { RemovalPlan } from './plan.js';
import { pgIsReady } from './survey.js';

/**
 * The changes only a removal makes, as engine steps (the run's lock, log, --json events and
 * checkpoints are apply's): the promotion of a PostgreSQL standby and RabbitMQ forgetting the
 * node. They run on the hosts that stay; the removed host is never contacted by the run (it may
 * be switched off). Each checks first, so a run interrupted and started again changes nothing twice.
 */
const IN_RECOVERY = `runuser -u postgres -- psql -X -At -c "SELECT pg_is_in_recovery()"`;

function promoteOperation(oldPrimary: string | undefined): Operation {
  const inRecovery = async (context: Parameters<Operation['check']>[0]) =>
    (
      await runOrFail(context.host, 'asking PostgreSQL whether it is a standby', IN_RECOVERY)
    ).stdout.trim() === 't';
  return {
    kind: 'postgresql-promote',
    target: 'primary',
    inputs: { promote: true },
    async check(context) {
      return { changes: (await inRecovery(context)) ? ['promote this standby to primary'] : [], notes: [] };
    },
    async apply(context) {
      if (!(await inRecovery(context))) return { changes: [], notes: [] };
      // Asked again right before the promotion (the plan may be minutes old): the old primary
      // must still give no response, or there would be two primaries taking writes.
      if (oldPrimary) {
        const ready = await context.host.exec(pgIsReady(oldPrimary), { timeoutMs: 20_000 });
        if (ready.exitCode !== 2)
          throw new WireInstallError({
            what: `${context.host.name}: not promoted: the old primary ${oldPrimary} answers again (pg_isready exit ${ready.exitCode})`,
            evidence: lastLines(`${ready.stdout}\n${ready.stderr}`),
            next: `stop PostgreSQL on ${oldPrimary} (or switch it off), then run remove-host again`,
          });
      }
      // pg_promote(wait => true, 60 s): returns once the standby accepts writes.
      await runOrFail(
        context.host,
        'promoting the standby',
        `runuser -u postgres -- psql -X -At -c "SELECT pg_promote(true, 60)" | grep -qx t`,
        { next: 'read the PostgreSQL log on this host (journalctl -u postgresql@*)' },
      );
      if (await inRecovery(context))
        throw new Error(`${context.host.name}: PostgreSQL is still a standby after pg_promote`);
      return { changes: ['promote this standby to primary'], notes: [] };
    },
  };
}

function forgetOperation(removed: string, answers: boolean): Operation {
  const node = nodeName(removed);
  const member = async (context: Parameters<Operation['check']>[0]) => {
    const status = await runOrFail(
      context.host,
      'reading the RabbitMQ cluster status',
      'rabbitmqctl cluster_status --formatter json',
    );
    const parsed = JSON.parse(status.stdout) as { disk_nodes?: string[]; ram_nodes?: string[] };
    return [...(parsed.disk_nodes ?? []), ...(parsed.ram_nodes ?? [])].includes(node);
  };
  const change = `forget ${node}`;
  return {
    kind: 'rabbitmq-forget',
    target: node,
    inputs: { forget: node },
    async check(context) {
      return { changes: (await member(context)) ? [change] : [], notes: [] };
    },
    async apply(context) {
      if (!(await member(context))) return { changes: [], notes: [] };
      // A node that still runs must stop its app before it can be forgotten. One whose host did
      // not answer is not asked (rabbitmqctl would wait about 40 s for it).
      if (answers) await context.host.exec(`timeout 60 rabbitmqctl -n ${node} stop_app`);
      await runOrFail(context.host, `forgetting ${node}`, `rabbitmqctl forget_cluster_node ${node}`);
      return { changes: [change], notes: [] };
    },
  };
}

export const REMOVE_HOST_STAGE = 'remove-host';

export function removeHostStage(plan: RemovalPlan): EngineStage {
  const steps: EngineStep[] = [];
  if (plan.promote) {
    steps.push({
      id: `${REMOVE_HOST_STAGE}.postgresql-promote`,
      title: `Promote ${plan.promote} to PostgreSQL primary`,
      hosts: [plan.promote],
      alwaysRun: true,
      operations: () => [promoteOperation(plan.oldPrimaryAddress)],
    });
  }
  if (plan.rabbitmqForgetOn) {
    const removed = plan.host;
    steps.push({
      id: `${REMOVE_HOST_STAGE}.rabbitmq-forget`,
      title: `Forget ${nodeName(removed)} in the RabbitMQ cluster`,
      hosts: [plan.rabbitmqForgetOn],
      alwaysRun: true,
      operations: () => [forgetOperation(removed, plan.removedAnswers)],
    });
  }
  return { id: REMOVE_HOST_STAGE, title: `Take ${plan.host} out`, steps };
}

/** Wire's steps that bring the hosts left in line with the inventory without the host. */
export function followUpSteps(plan: RemovalPlan): string[] {
  return [
    ...(plan.roles.includes('postgresql')
      ? ['databases.postgresql-primary', 'databases.postgresql-standbys', 'databases.postgresql-health']
      : []),
    ...(plan.roles.includes('rabbitmq') ? ['databases.rabbitmq-cluster', 'databases.rabbitmq-health'] : []),
  ];
}
