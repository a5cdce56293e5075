import { join } from 'node:path';
import type { DriftEntry } from '../../engine/drift.js';
import { STATE_DIR, StateStore } from '../../state/store.js';
import { fail, pass, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { connectedHosts } from './host-list.js';

/**
 * Does the installation still match its last apply? drift.hosts names hosts rebuilt or replaced
 * since (their machine-id changed: apply installs them again); drift.steps checks every
 * host-side step that succeeded again, ignoring its checkpoint and changing nothing
 * (src/engine/drift.ts), and reports what differs per host and step, with the apply that repairs it.
 * The admin host's steps (charts, values) are not checked here: the cluster group asks the cluster.
 */

const openState = (context: DoctorContext) => StateStore.open(join(context.inventoryDir, STATE_DIR));

/** Hosts whose identity (machine-id, host key) state.json recorded at an apply. */
async function recordedHosts(context: DoctorContext): Promise<string[]> {
  const state = await openState(context);
  return connectedHosts(context)
    .map(({ host }) => host.name)
    .filter((name) => state.identity(name) !== undefined);
}

const hostsCheck: DoctorCheck = {
  id: 'drift.hosts',
  group: 'drift',
  title: 'Each host is the machine the last apply worked on (its machine-id)',
  needsHosts: true,
  skipReason: (context) =>
    context.installed.succeededSteps.size === 0 ? 'nothing applied yet: no host to compare' : undefined,
  async run(context) {
    const { replacedHosts } = await import('../../engine/host-identity.js');
    const state = await openState(context);
    const replaced = replacedHosts(state, context.hosts, context.facts);
    const results: DoctorResult[] = replaced.map(({ host, evidence }) =>
      fail(
        'drift.hosts',
        `${host} was rebuilt or replaced since the last apply: nothing its steps did there can be assumed`,
        `wire-install apply -i ${context.inventoryFile}: it forgets ${host}'s checkpoints and installs it again`,
        { host, evidence },
      ),
    );
    const same = (await recordedHosts(context)).filter((name) => !replaced.some(({ host }) => host === name));
    if (same.length > 0)
      results.push(
        pass(
          'drift.hosts',
          `${same.length} host${same.length === 1 ? ' is' : 's are'} the machines the last apply worked on`,
          {
            evidence: [`same machine-id and host key: ${same.join(', ')}`],
          },
        ),
      );
    return results;
  },
};

const stepsCheck: DoctorCheck = {
  id: 'drift.steps',
  group: 'drift',
  title: 'Each host is as its applied steps left it (their checks run again, checkpoints ignored)',
  needsHosts: true,
  skipReason: (context) =>
    context.installed.succeededSteps.size === 0 ? 'nothing applied yet: no step to check again' : undefined,
  async run(context) {
    // Loaded when the check runs: the steps and the engine are not needed by the other groups.
    const { wireEngineStages } = await import('../../plan/engine-stages.js');
    const { checkDrift } = await import('../../engine/drift.js');
    const { replacedHosts } = await import('../../engine/host-identity.js');
    const state = await openState(context);
    const hosts = new Map(connectedHosts(context).map(({ host, remote }) => [host.name, remote]));
    const stages = wireEngineStages(context.inventory, context.inventoryDir, {
      ...context.preflight,
      secrets: context.secrets,
      secretsPath: context.secretsPath,
      inventoryDir: context.inventoryDir,
      dnsServer: context.dnsServer,
    });
    const entries = await checkDrift({
      stages,
      hosts,
      facts: context.facts,
      state,
      concurrency: 10,
      // drift.hosts reports these: their records describe another machine.
      skipHosts: new Set(replacedHosts(state, hosts, context.facts).map(({ host }) => host)),
    });
    return driftResults(entries, context.inventoryFile);
  },
};

/** One fail per drifted step and host, one warn per other finding, one pass per host in sync. */
export function driftResults(entries: readonly DriftEntry[], inventoryFile: string): DoctorResult[] {
  const results: DoctorResult[] = [];
  const inSync = new Map<string, number>();
  for (const entry of entries) {
    const { step, host } = entry;
    switch (entry.verdict) {
      case 'in-sync':
        inSync.set(host, (inSync.get(host) ?? 0) + 1);
        break;
      case 'drift':
        results.push(
          fail(
            'drift.steps',
            `${host}: ${step} no longer matches what it applied`,
            repair(step, inventoryFile),
            {
              host,
              evidence: entry.changes.map((change) => `would ${change}`),
            },
          ),
        );
        break;
      case 'inputs-changed':
        results.push(
          warn(
            'drift.steps',
            `${host}: ${step} ran with other inputs (the inventory, secrets or bundle changed since)`,
            `wire-install apply -i ${inventoryFile} runs it again; wire-install apply --plan -i ${inventoryFile} shows what it changes`,
            { host },
          ),
        );
        break;
      case 'cannot-check':
        results.push(
          warn(
            'drift.steps',
            `${host}: ${step} could not be checked`,
            'look at the host, then run doctor again',
            {
              host,
              evidence: [entry.error ?? ''],
            },
          ),
        );
        break;
    }
  }
  for (const [host, count] of inSync)
    results.push(
      pass(
        'drift.steps',
        `${host}: ${count} applied step${count === 1 ? ' still matches' : 's still match'}`,
        {
          host,
        },
      ),
    );
  return results;
}

function repair(step: string, inventoryFile: string): string {
  return `wire-install apply -i ${inventoryFile} --check-drift --only ${step} (repairs it; add --plan first to see the changes)`;
}

export const DRIFT_CHECKS: readonly DoctorCheck[] = [hostsCheck, stepsCheck];
