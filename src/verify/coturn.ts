import type { Finding } from '../core/finding.js';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import { type Inventory, trafficAddress } from '../inventory/defaults.js';

/**
 * coturn's addresses, as Wire's docs check them (docs/wire/health-and-ports.md#health-checks: `kubectl get pods -l
 * app=coturn`, then `grep ip= coturn-config/turnserver.conf` in the pod): it runs with
 * hostNetwork on the nodes labelled for it, listens and relays on its node's private address,
 * and announces the node's public address as external-ip when the inventory declares one.
 * Wrong addresses break calls across networks (docs/wire/known-problems.md#calls-fail) without any pod failing.
 */
export interface CoturnPod {
  name: string;
  node: string;
  hostIp: string;
  running: boolean;
}

interface PodListJson {
  items?: {
    metadata?: { name?: string };
    spec?: { nodeName?: string };
    status?: { phase?: string; hostIP?: string };
  }[];
}

export function parseCoturnPods(json: unknown): CoturnPod[] {
  return ((json as PodListJson).items ?? []).map((item) => ({
    name: item.metadata?.name ?? '',
    node: item.spec?.nodeName ?? '',
    hostIp: item.status?.hostIP ?? '',
    running: item.status?.phase === 'Running',
  }));
}

/** listening-ip, relay-ip and external-ip of a turnserver.conf (external-ip may be "public/private"). */
export function turnserverAddresses(conf: string): Record<'listening' | 'relay' | 'external', string[]> {
  const values = (key: string) =>
    conf
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith(`${key}=`))
      .map((line) => line.slice(key.length + 1).trim());
  return {
    listening: values('listening-ip'),
    relay: values('relay-ip'),
    external: values('external-ip').map((value) => value.split('/')[0] ?? value),
  };
}

const fix =
  'set coturnTurnListenIP, coturnTurnRelayIP and coturnTurnExternalIP in values/coturn (workloads.values renders them from the inventory) and run apply again (workloads.coturn)';

export function coturnFindings(
  inventory: Inventory,
  pods: CoturnPod[],
  configs: ReadonlyMap<string, string>,
): Finding[] {
  const coturnHosts = inventory.hosts.filter((host) => host.roles.includes('coturn'));
  const expectedNodes = coturnHosts.map((host) => host.name);
  const running = pods.filter((pod) => pod.running);
  if (running.length === 0)
    return [
      {
        severity: 'error',
        rule: 'verify.coturn-running',
        message: 'no coturn pod is running',
        measured:
          pods.map((pod) => `${pod.name} on ${pod.node || 'no node'}`).join(', ') || 'no pod with app=coturn',
        required: `coturn on ${expectedNodes.join(', ') || 'the hosts with role coturn'}`,
        fix: 'kubectl get pods -l app=coturn -o wide; kubectl describe pod <name> (a node without the wire.com/role=coturn label keeps it Pending)',
      },
    ];
  const findings: Finding[] = [];
  for (const pod of running) {
    const host = coturnHosts.find((candidate) => candidate.name === pod.node);
    if (!host) {
      findings.push({
        severity: 'error',
        rule: 'verify.coturn-node',
        message: `coturn pod ${pod.name} runs on ${pod.node}, which has no coturn role in the inventory`,
        measured: pod.node,
        required: expectedNodes.join(', '),
        fix: 'label only the coturn hosts with wire.com/role=coturn (workloads.calling-node-labels) and delete the pod',
      });
      continue;
    }
    const addresses = turnserverAddresses(configs.get(pod.name) ?? '');
    const privateAddress = trafficAddress(host);
    for (const key of ['listening', 'relay'] as const) {
      const found = addresses[key];
      if (found.length === 1 && found[0] === privateAddress) continue;
      findings.push({
        severity: 'error',
        rule: 'verify.coturn-addresses',
        host: host.name,
        message: `coturn on ${host.name} ${key === 'listening' ? 'listens' : 'relays'} on the wrong address`,
        measured: `${key}-ip=${found.join(', ') || 'not set'}`,
        required: `${key}-ip=${privateAddress} (the private address of ${host.name})`,
        fix,
      });
    }
    if (host.externalIp && !addresses.external.includes(host.externalIp))
      findings.push({
        severity: 'error',
        rule: 'verify.coturn-addresses',
        host: host.name,
        message: `coturn on ${host.name} does not announce its public address; clients outside the network cannot relay`,
        measured: `external-ip=${addresses.external.join(', ') || 'not set'}`,
        required: `external-ip=${host.externalIp} (externalIp of ${host.name})`,
        fix,
      });
  }
  return findings;
}

/** Asks the cluster: the coturn pods, then each running pod's turnserver.conf. */
export async function checkCoturn(
  host: RemoteHost,
  kubectl: (args: string) => string,
  inventory: Inventory,
  namespace = 'default',
): Promise<Finding[]> {
  const ns = `-n ${shellQuote(namespace)}`;
  const list = await host.exec(kubectl(`${ns} get pods -l app=coturn -o json`));
  if (list.exitCode !== 0) throw new Error(`kubectl get pods -l app=coturn failed: ${list.stderr.trim()}`);
  const pods = parseCoturnPods(JSON.parse(list.stdout));
  const configs = new Map<string, string>();
  for (const pod of pods.filter((candidate) => candidate.running)) {
    const conf = await host.exec(
      kubectl(`${ns} exec ${shellQuote(pod.name)} -- grep ip= coturn-config/turnserver.conf`),
    );
    configs.set(pod.name, conf.exitCode === 0 ? conf.stdout : '');
  }
  return coturnFindings(inventory, pods, configs);
}
