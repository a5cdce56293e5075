import { WireInstallError } from '../../core/errors.js';
import type { RemoteHost } from '../../hosts/types.js';
import { type Host, hostsWithRole } from '../../inventory/defaults.js';
import type { Role } from '../../inventory/roles.js';
import type { OperationContext } from '../../operations/types.js';
import type { StepId } from '../../steps/registry.js';
import { fail, skip } from '../results.js';
import type { DoctorContext, DoctorResult } from '../types.js';

/**
 * What the databases checks share: when they apply (production only, the role has hosts, its
 * stage ran), the database hosts as the runner connected them, and a failure of a command on a
 * host turned into a result with what it printed.
 */

/** Why a database check does not apply, or undefined when it does. */
export function databaseSkipReason(context: DoctorContext, role: Role, step: StepId): string | undefined {
  if (context.inventory.mode === 'demo')
    return 'demo mode: the databases run in the cluster as databases-ephemeral (cluster.pods checks them)';
  if (hostsWithRole(context.inventory, role).length === 0) return `no host has the ${role} role`;
  if (!context.installed.succeededSteps.has(step))
    return `the ${role} stage is not applied yet (${step} has not succeeded on every host)`;
  return undefined;
}

export interface DatabaseHost {
  host: Host;
  remote: RemoteHost;
}

/** The role's hosts that are connected, and a skip for each one that is not (hosts.reachable says why). */
export function databaseHosts(
  context: DoctorContext,
  check: string,
  role: Role,
): { connected: DatabaseHost[]; results: DoctorResult[] } {
  const connected: DatabaseHost[] = [];
  const results: DoctorResult[] = [];
  for (const host of hostsWithRole(context.inventory, role)) {
    const remote = context.hosts.get(host.name);
    if (remote) connected.push({ host, remote });
    else
      results.push(
        skip(check, `${host.name} is not reachable, not checked`, {
          host: host.name,
          evidence: [context.unreachable.get(host.name) ?? 'not connected (see hosts.reachable)'],
        }),
      );
  }
  return { connected, results };
}

/** What the steps' health reads expect to run in (they only use the host). */
export function operationContext(context: DoctorContext, remote: RemoteHost): OperationContext {
  const facts = context.facts.get(remote.name);
  return { host: remote, facts: facts as NonNullable<typeof facts>, changedPaths: new Set() };
}

/** A command that failed on a host (WireInstallError from runOrFail and friends) as a fail of that host. */
export function commandFailed(check: string, host: string, error: unknown, fix: string): DoctorResult {
  if (error instanceof WireInstallError)
    return fail(check, error.what, error.next ?? fix, { host, evidence: error.evidence });
  const message = error instanceof Error ? error.message : String(error);
  return fail(check, `${host}: ${message.split('\n')[0]}`, fix, {
    host,
    evidence: message.split('\n').slice(1, 13),
  });
}

/** Runs `command` on the host; a non-zero exit throws with the last lines it printed. */
export async function runOn(
  context: DoctorContext,
  remote: RemoteHost,
  what: string,
  command: string,
): Promise<string> {
  const result = await remote.exec(command, { signal: context.signal, timeoutMs: 30_000 });
  if (result.exitCode === 0) return result.stdout;
  const printed = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5);
  throw new WireInstallError({
    what: `${remote.name}: ${what} failed (exit code ${result.exitCode})`,
    host: remote.name,
    evidence: printed.map((line) => `| ${line}`),
  });
}
