import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';
import { apiStatusFindings, unreachableFinding, webappFindings } from './https-findings.js';
import { httpsGet } from './https-probe.js';
import { describeEndpoint, ingressEndpoint } from './ingress-endpoint.js';

/**
 * Wire's documented API and web checks (verify.api-status, verify.webapp): a GET of
 * https://<label>.<domain><path> at the ingress (ingress-endpoint.ts says which address and why).
 */
export async function httpsCheck(
  inventory: Inventory,
  label: string,
  path: string,
  rule: string,
): Promise<Finding[]> {
  const endpoint = ingressEndpoint(inventory);
  const name = `${label}.${inventory.domain}`;
  const url = `https://${name}${path}`;
  try {
    const answer = await httpsGet(endpoint, name, path);
    return rule === 'verify.api-status' ? apiStatusFindings(url, answer) : webappFindings(url, answer);
  } catch (error) {
    return [unreachableFinding(rule, url, error, describeEndpoint(endpoint))];
  }
}
