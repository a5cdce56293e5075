import { apiStatusFindings, unreachableFinding } from '../../verify/https-findings.js';
import { httpsGet } from '../../verify/https-probe.js';
import { describeEndpoint, ingressEndpoint } from '../../verify/ingress-endpoint.js';
import { errorResult, fromFindings } from '../results.js';
import type { DoctorCheck } from '../types.js';
import { noClusterReason } from './cluster-kubectl.js';

/**
 * cluster.api-status: `curl -i https://nginz-https.<domain>/status` answers 200 (docs/wire/health-and-ports.md#health-checks),
 * asked at the ingress endpoint apply's verify stage uses (src/verify/ingress-endpoint.ts: the
 * ingress NodePort on a worker, or WIRE_INSTALL_INGRESS), so DNS and the operator's forwarding
 * are not part of the answer (the dns and certs groups check those).
 */
const ID = 'cluster.api-status';

export const clusterApiStatus: DoctorCheck = {
  id: ID,
  group: 'cluster',
  title: 'https://nginz-https.<domain>/status answers 200 through the ingress',
  needsHosts: false,
  skipReason(context) {
    const noCluster = noClusterReason(context);
    if (noCluster) return noCluster;
    if (!context.installed.succeededSteps.has('workloads.wire-server'))
      return 'wire-server is not installed yet (workloads.wire-server has not succeeded)';
    return undefined;
  },
  async run(context) {
    const name = `nginz-https.${context.inventory.domain}`;
    const url = `https://${name}/status`;
    let endpoint: ReturnType<typeof ingressEndpoint>;
    try {
      endpoint = ingressEndpoint(context.inventory, context.env);
    } catch (error) {
      return [errorResult(ID, 'the ingress endpoint is not valid', error)];
    }
    const where = describeEndpoint(endpoint);
    try {
      const answer = await httpsGet(endpoint, name, '/status');
      return fromFindings(ID, apiStatusFindings(url, answer), {
        summary: `${url} answers HTTP 200`,
        evidence: [`GET ${url} via ${where}: HTTP ${answer.status}`],
      });
    } catch (error) {
      return fromFindings(ID, [unreachableFinding('verify.api-status', url, error, where)], { summary: '' });
    }
  },
};
