import type { HostFacts } from '../hosts/facts.js';
import { ADMIN_HOST } from '../hosts/local-host.js';
import type { RemoteHost } from '../hosts/types.js';
import type { HostIdentity, StateStore } from '../state/store.js';

/**
 * A host rebuilt from scratch under the same name (a reinstalled VM, a replaced disk) answers
 * like the old one, yet nothing a step did there is left. state.json keeps who each host was at
 * the last apply (its machine-id and SSH host key); a host that differs now is named as replaced
 * and its checkpoints stop counting, so the next apply installs it again without --force.
 */

export interface ReplacedHost {
  host: string;
  /** What differs, e.g. `machine-id was 3f…, is 9a… now`. */
  evidence: string[];
}

function identityNow(host: RemoteHost, facts: HostFacts): HostIdentity {
  return {
    machineId: facts.machineId,
    ...(host.hostKey ? { hostKey: host.hostKey } : {}),
    recordedAt: new Date().toISOString(),
  };
}

/** The connected hosts whose identity differs from the one recorded at the last apply. */
export function replacedHosts(
  state: StateStore,
  hosts: ReadonlyMap<string, RemoteHost>,
  facts: ReadonlyMap<string, HostFacts>,
): ReplacedHost[] {
  const replaced: ReplacedHost[] = [];
  for (const [name, host] of hosts) {
    const hostFacts = facts.get(name);
    const before = state.identity(name);
    if (name === ADMIN_HOST || !hostFacts || !before) continue;
    const now = identityNow(host, hostFacts);
    const evidence: string[] = [];
    // An empty machine-id (not readable) says nothing either way.
    if (before.machineId && now.machineId && before.machineId !== now.machineId)
      evidence.push(`machine-id was ${before.machineId} at ${before.recordedAt}, is ${now.machineId} now`);
    if (before.hostKey && now.hostKey && before.hostKey !== now.hostKey)
      evidence.push(`SSH host key was ${before.hostKey}, is ${now.hostKey} now`);
    if (evidence.length > 0) replaced.push({ host: name, evidence });
  }
  return replaced;
}

/**
 * apply: forgets what the replaced hosts recorded, then records every connected host's identity
 * as it is now (hosts seen for the first time included).
 */
export async function recordHostIdentities(
  state: StateStore,
  hosts: ReadonlyMap<string, RemoteHost>,
  facts: ReadonlyMap<string, HostFacts>,
  replaced: readonly ReplacedHost[],
): Promise<void> {
  for (const { host } of replaced) await state.forgetHost(host);
  const writes: Promise<void>[] = [];
  for (const [name, host] of hosts) {
    const hostFacts = facts.get(name);
    if (name === ADMIN_HOST || !hostFacts) continue;
    const before = state.identity(name);
    const now = identityNow(host, hostFacts);
    if (before && before.machineId === now.machineId && before.hostKey === now.hostKey) continue;
    writes.push(state.recordIdentity(name, now));
  }
  await Promise.all(writes);
}
