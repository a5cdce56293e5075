import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parsePemCertificates } from '../../certs/pem.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectlJson } from '../../cluster/kubectl.js';
import type { Finding } from '../../core/finding.js';
import type { RemoteHost } from '../../hosts/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import { unreachableFinding } from '../../verify/https-findings.js';
import { checkIngressOverride, describeEndpoint, ingressEndpoint } from '../../verify/ingress-endpoint.js';
import {
  certificateResourceFindings,
  servedCertificateFindings,
} from '../../verify/served-certificate-findings.js';
import { servedCertificate } from '../../verify/tls-probe.js';
import { chainTrustFindings, servedChainTrust } from '../../verify/tls-trust.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { selfSignedPaths } from '../../workloads/values/certificate-files.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const certificateStep = defineStep({
  id: 'verify.certificate',
  stage: 'verify',
  title: "The ingress serves the expected certificate, not nginx's fake one",
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "A bad TLS secret silently serves the fake default certificate; cert-manager's Certificate must be READY",
  alwaysRun: true,
  beforeConnect: checkIngressOverride,
  operations: (inventory, _host, options) => [
    verifyCheck('the served certificate', adminKubeconfigPath(inventory, options.inventoryDir), (context) =>
      certificateCheck(context.host, inventory, options),
    ),
  ],
});

async function configuredCertificate(inventory: Inventory, options: WireStageOptions) {
  if (inventory.certificates.mode !== 'bring-your-own') return undefined;
  const text = await readFile(resolve(options.inventoryDir, inventory.certificates.certChain), 'utf8');
  // The leaf comes first in the chain file (certificates.certChain, docs/wire/dns-and-certificates.md#certificates).
  return parsePemCertificates(text)[0];
}

/**
 * What the served chain must verify against: our private CA (self-signed), this machine's roots
 * (Let's Encrypt, bring-your-own), or nothing with Let's Encrypt's staging CA, which no one trusts.
 */
async function trustAnchor(
  inventory: Inventory,
  options: WireStageOptions,
): Promise<string | undefined | 'skip'> {
  const certificates = inventory.certificates;
  if (certificates.mode === 'cert-manager' && certificates.staging) return 'skip';
  if (certificates.mode !== 'self-signed') return undefined;
  return readFile(selfSignedPaths(options.inventoryDir).ca, 'utf8');
}

async function certificateCheck(
  host: RemoteHost,
  inventory: Inventory,
  options: WireStageOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (inventory.certificates.mode === 'cert-manager')
    findings.push(
      ...certificateResourceFindings(
        (await kubectlJson(
          host,
          adminKubeconfigPath(inventory, options.inventoryDir),
          'listing Certificates',
          'get certificate -A -o json',
        )) as {
          items?: [];
        },
      ),
    );
  const endpoint = ingressEndpoint(inventory);
  const configured = await configuredCertificate(inventory, options);
  const anchor = await trustAnchor(inventory, options);
  for (const label of ['nginz-https', 'webapp']) {
    const name = `${label}.${inventory.domain}`;
    try {
      findings.push(
        ...servedCertificateFindings(inventory, name, await servedCertificate(endpoint, name), configured),
      );
      if (anchor !== 'skip')
        findings.push(...chainTrustFindings(inventory, name, await servedChainTrust(endpoint, name, anchor)));
    } catch (error) {
      findings.push(
        unreachableFinding('verify.certificate', `TLS for ${name}`, error, describeEndpoint(endpoint)),
      );
    }
  }
  return findings;
}
