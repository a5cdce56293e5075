import { gatherFacts, type HostFacts } from '../../../src/hosts/facts.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { Operation, OperationContext, OperationOutcome } from '../../../src/operations/types.js';
import { connectLabHost, labHosts } from '../lab-hosts.js';

/**
 * The operation tests run on the fifth lab host only, and touch only names containing
 * wil-ops-test (and the package wil-hello), so they can share a running lab with other tests.
 */
export const opsHost = labHosts()[4];

export interface OpsLab {
  host: RemoteHost;
  facts: HostFacts;
  /** A fresh context, as a new step on the host starts with. */
  context(): OperationContext;
  /** Runs a command that must succeed (test setup and independent verification), returns stdout. */
  sh(command: string): Promise<string>;
}

export async function connectOpsLab(): Promise<OpsLab> {
  if (!opsHost) throw new Error('the lab has fewer than 5 hosts');
  const host = await connectLabHost(opsHost);
  const facts = await gatherFacts(host);
  return {
    host,
    facts,
    context: () => ({ host, facts, changedPaths: new Set<string>() }),
    async sh(command) {
      const result = await host.exec(command);
      if (result.exitCode !== 0)
        throw new Error(`${command} exited ${result.exitCode}: ${result.stderr}${result.stdout}`);
      return result.stdout;
    },
  };
}

/** Runs operations in order with one context, like a step: check or apply. */
export async function runStep(
  operations: Operation[],
  context: OperationContext,
  mode: 'check' | 'apply',
): Promise<OperationOutcome[]> {
  const outcomes: OperationOutcome[] = [];
  for (const operation of operations) outcomes.push(await operation[mode](context));
  return outcomes;
}
