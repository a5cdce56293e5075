import { hostsWithRole, type Inventory } from '../inventory/defaults.js';
import { stepsForMode } from '../steps/registry.js';
import { planRemoval, type RemovalPlan, type Survey } from './plan.js';

/**
 * `replace-host OLD --with NEW`, decided before anything changes. NEW is a host the operator has
 * added to inventory.yaml with OLD's roles; the replacement installs NEW first, by Wire's own
 * steps on the inventory without OLD (so NEW takes OLD's place in every list), and takes OLD out
 * afterwards, by remove-host's steps. Whatever remove-host refuses for OLD is refused here, counted
 * with NEW already in place: a third Cassandra node can be replaced where it cannot be removed.
 *
 * Cassandra differs from add-then-remove when OLD does not answer: NEW starts with
 * `replace_address_first_boot` of OLD's address and takes over its tokens (src/wire/cassandra-replace.ts),
 * instead of a bootstrap beside a dead member followed by removenode (two streams of the same data).
 */
export interface ReplacementPlan {
  old: string;
  replacement: string;
  /** Why it cannot be done; any one stops the command (exit 2). */
  refusals: string[];
  /** What will be done, in order, one line each. */
  actions: string[];
  warnings: string[];
  /** Taking OLD out, as remove-host would with NEW in the inventory (its removenode replaced, see above). */
  removal: RemovalPlan;
  /** NEW replaces the Cassandra node at this address (OLD's) on its first boot. */
  cassandraReplaces?: string;
}

const RECORDS = "wire-install's records:";

/** The roles apply installs with steps of their own (the calling roles and the asset host ride on others). */
const rolesWithSteps = new Set([
  'kube-control-plane',
  'kube-worker',
  'cassandra',
  'elasticsearch',
  'minio',
  'postgresql',
  'rabbitmq',
]);

/** --only's names, each matching a step by its id or its stage's (src/engine/select.ts). */
export const selects = (only: string, stageId: string, stepId: string) =>
  only.split(',').some((name) => name.trim() === stepId || name.trim() === stageId);

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

export function planReplacement(
  inventory: Inventory,
  old: string,
  replacement: string,
  survey: Survey,
  /** The apply steps that install NEW, as --only names them (undefined: all of apply's). */
  only?: string,
): ReplacementPlan {
  const oldHost = inventory.hosts.find((host) => host.name === old);
  const newHost = inventory.hosts.find((host) => host.name === replacement);
  if (!oldHost) throw new Error(`replace-host: ${old} is not in the inventory`);
  const refusals: string[] = [];
  if (old === replacement)
    refusals.push(
      `${old} cannot replace itself. A host rebuilt under the same name needs no replace-host: \`wire-install apply\` finds it rebuilt (its machine-id and host key changed) and installs it again.`,
    );
  if (!newHost)
    refusals.push(
      `${replacement} is not in the inventory: add it under hosts: with its address and the roles of ${old} (${oldHost.roles.join(', ')}), then run replace-host again.`,
    );
  else if (!sameRoles(newHost.roles, oldHost.roles))
    refusals.push(
      `${replacement} has the roles ${newHost.roles.join(', ') || 'none'}, ${old} has ${oldHost.roles.join(', ')}: replace-host gives the new host exactly the old one's roles. Write them in inventory.yaml, then run replace-host again.`,
    );
  else if (!survey.reachable.has(replacement))
    refusals.push(
      `${replacement} does not answer over SSH: it is installed first. Bring it up, then run again.`,
    );
  const removal = planRemoval(inventory, old, survey);
  refusals.push(...removal.refusals);
  // The first host of a role has a duty (the Cassandra seed, the RabbitMQ node the others join,
  // the PostgreSQL primary, kubeadm init's control plane): a new, empty host must not take it.
  if (newHost)
    for (const role of newHost.roles) {
      const [first, ...rest] = hostsWithRole(removal.inventory, role);
      if (first?.name === replacement && rest.length > 0)
        refusals.push(
          `${replacement} would be the first ${role} host once ${old} is gone (${rest.map((host) => host.name).join(', ')} come after it in inventory.yaml): the first one is the one the others follow (the Cassandra seed, the RabbitMQ node they join, the PostgreSQL primary, kubeadm's first control plane), and ${replacement} has none of the data. Move its entry below them, then run replace-host again.`,
        );
    }
  if (only) {
    const missing = oldHost.roles.filter(
      (role) =>
        rolesWithSteps.has(role) &&
        !stepsForMode(inventory.mode).some(
          (step) =>
            step.target.kind === 'hosts' &&
            step.target.roles.includes(role) &&
            selects(only, step.stage, step.id),
        ),
    );
    if (missing.length > 0)
      refusals.push(
        `--only ${only} runs none of the steps that install ${missing.join(', ')} on ${replacement}, while ${old} is taken out of ${missing.length === 1 ? 'that role' : 'those roles'}: name their stages too (e.g. kubernetes, databases), or leave --only out.`,
      );
  }
  const plan: ReplacementPlan = {
    old,
    replacement,
    refusals,
    actions: [],
    warnings: removal.warnings,
    removal,
  };
  if (removal.cassandraReseed && !removal.removedAnswers)
    plan.warnings.push(
      `Cassandra: ${old}, the seed, is gone, and the rolling restart that makes ${removal.cassandraReseed} the seed runs before ${replacement} has taken over its tokens: while each node restarts, the ranges it shares with ${old} have one replica up, so QUORUM reads and writes on them fail for that minute. Run it at a quiet hour.`,
    );
  let removalActions = removal.actions;
  const cassandra = removal.cassandra;
  if (cassandra && 'removenodeOn' in cassandra) {
    plan.cassandraReplaces = cassandra.address;
    removal.cassandra = undefined;
    removalActions = removalActions.filter((line) => !line.startsWith('Cassandra:'));
  }
  const postgres = removalActions.filter(
    (line) => line.startsWith('PostgreSQL: promote') || / was promoted /.test(line),
  );
  plan.actions.push(
    ...postgres,
    ...(plan.cassandraReplaces
      ? [
          `Cassandra: ${old} does not answer: ${replacement} starts as its replacement (replace_address_first_boot=${plan.cassandraReplaces}, a systemd drop-in removed once it is UN) and takes over its tokens; its data comes from the other replicas`,
        ]
      : []),
    `Install ${replacement} with the roles of ${old} (${oldHost.roles.join(', ')}): apply's steps (${only ? `--only ${only}` : 'all of them'}) on the inventory without ${old}; checkpoints skip what is done on the other hosts, and the steps that list the hosts (pg_hba.conf, the RabbitMQ cluster, Kubernetes' join credentials) take ${replacement} in`,
    ...removalActions.filter((line) => !postgres.includes(line) && !line.startsWith(RECORDS)),
    `The health checks of the roles (apply's *-health steps) run last, once ${old} is out`,
    ...removalActions.filter((line) => line.startsWith(RECORDS)),
  );
  return plan;
}
