import { kubectl } from '../../cluster/kubectl.js';
import { hostsWithRole, trafficAddress } from '../../inventory/defaults.js';
import { checkCoturn } from '../../verify/coturn.js';
import { WIRE_NAMESPACE } from '../../workloads/migrations/job-check.js';
import { errorResult, fail, fromFindings, pass } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { kubeconfigOf, noClusterReason } from './cluster-kubectl.js';
import { STUN_PORT, stunProbe, type Transport } from './stun-probe.js';

/**
 * cluster.coturn: coturn's pods on the nodes labelled for it with the right listening, relay
 * and external addresses (src/verify/coturn.ts, docs/wire/health-and-ports.md#health-checks), and its STUN/TURN port
 * 3478 answering over UDP and TCP on each coturn host (docs/wire/health-and-ports.md#ports-and-firewall). Wrong addresses or a closed
 * port break calls across networks without any pod failing (docs/wire/known-problems.md#calls-fail).
 */
const ID = 'cluster.coturn';
const TRANSPORTS: readonly Transport[] = ['udp', 'tcp'];

export async function coturnPortResult(
  name: string,
  address: string,
  transport: Transport,
  port = STUN_PORT,
): Promise<DoctorResult> {
  const where = `${address}:${port}/${transport}`;
  try {
    const ms = await stunProbe(address, port, transport);
    return pass(ID, `coturn on ${name} answers STUN on ${port}/${transport}`, {
      host: name,
      evidence: [`STUN Binding request to ${where} from the admin host: answered in ${ms} ms`],
    });
  } catch (error) {
    return fail(
      ID,
      `coturn on ${name} does not answer on ${port}/${transport}`,
      `open ${STUN_PORT}/udp and ${STUN_PORT}/tcp to ${name}; kubectl get pods -l app=coturn -o wide; kubectl logs -l app=coturn`,
      {
        host: name,
        evidence: [
          `STUN Binding request to ${where} from the admin host: ${error instanceof Error ? error.message : String(error)}`,
        ],
      },
    );
  }
}

async function runCoturn(context: DoctorContext): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  try {
    const path = kubeconfigOf(context);
    const findings = await checkCoturn(
      context.admin,
      (args) => kubectl(path, args),
      context.inventory,
      WIRE_NAMESPACE,
    );
    results.push(
      ...fromFindings(ID, findings, {
        summary: 'coturn runs on the coturn hosts with their addresses',
        evidence: ['kubectl get pods -l app=coturn; turnserver.conf listening-ip, relay-ip, external-ip'],
      }),
    );
  } catch (error) {
    results.push(errorResult(ID, 'the coturn pods could not be read', error));
  }
  for (const host of hostsWithRole(context.inventory, 'coturn'))
    for (const transport of TRANSPORTS)
      results.push(await coturnPortResult(host.name, trafficAddress(host), transport));
  return results;
}

export const clusterCoturn: DoctorCheck = {
  id: ID,
  group: 'cluster',
  title: 'coturn on the coturn hosts with the right addresses, port 3478 answering over UDP and TCP',
  needsHosts: false,
  skipReason(context) {
    if (!context.inventory.wire.calling.coturn.enabled)
      return 'coturn is not enabled (wire.calling.coturn.enabled)';
    if (hostsWithRole(context.inventory, 'coturn').length === 0) return 'no host has the coturn role';
    return noClusterReason(context);
  },
  run: runCoturn,
};
