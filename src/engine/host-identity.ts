import type { HostFacts } from '../hosts/facts.js';
import { ADMIN_HOST } from '../hosts/local-host.js';
import type { RemoteHost } from '../hosts/types.js';
import type { HostIdentity, StateStore } from '../state/store.js';

/**
 * A host rebuilt from scratch under the same name (a reinstalled VM, a replaced disk) answers
 * like the old one, yet nothing a step did there is left. state.json keeps who each host was at
 * the last apply (its machine-id and SSH host key); a host whose machine-id differs now is named
 * as replaced and its checkpoints stop counting, so the next apply installs it again without
 * --force. A new host key alone is recorded, not taken for a rebuild.
 */

export interface ReplacedHost {
  host: string;
  /** What differs, e.g. `machine-id was 3f…, is 9a… now`. */
  evidence: string[];
}

/** Who the host is now; what cannot be read now keeps the value recorded before. */
function identityNow(host: RemoteHost, facts: HostFacts, before?: HostIdentity): HostIdentity {
  const hostKey = host.hostKey ?? before?.hostKey;
  return {
    machineId: facts.machineId || (before?.machineId ?? ''),
    ...(hostKey ? { hostKey } : {}),
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
    const now = identityNow(host, hostFacts, before);
    // The machine-id is the proof: host keys are rotated on purpose, or offered in another type
    // after an upgrade, on a machine that keeps everything. An empty one (not readable) says nothing.
    if (!before.machineId || !now.machineId || before.machineId === now.machineId) continue;
    const evidence = [`machine-id was ${before.machineId} at ${before.recordedAt}, is ${now.machineId} now`];
    if (before.hostKey && now.hostKey && before.hostKey !== now.hostKey)
      evidence.push(`SSH host key was ${before.hostKey}, is ${now.hostKey} now`);
    replaced.push({ host: name, evidence });
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
    const now = identityNow(host, hostFacts, before);
    if (before && before.machineId === now.machineId && before.hostKey === now.hostKey) continue;
    writes.push(state.recordIdentity(name, now));
  }
  await Promise.all(writes);
}
