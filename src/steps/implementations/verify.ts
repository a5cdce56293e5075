import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parsePemCertificates } from '../../certs/pem.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectl } from '../../cluster/kubectl.js';
import { nodeFindings, podFindings } from '../../cluster/node-findings.js';
import { shellQuote } from '../../hosts/become.js';
import type { RemoteHost } from '../../hosts/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import { runOrFail } from '../../operations/run.js';
import type { Finding } from '../../rules/finding.js';
import { checkCoturn } from '../../verify/coturn.js';
import { apiStatusFindings, unreachableFinding, webappFindings } from '../../verify/https-findings.js';
import { httpsGet } from '../../verify/https-probe.js';
import { describeEndpoint, ingressEndpoint } from '../../verify/ingress-endpoint.js';
import { badPods, type PodJson, podHealthFindings } from '../../verify/pod-findings.js';
import {
  certificateResourceFindings,
  servedCertificateFindings,
} from '../../verify/served-certificate-findings.js';
import { servedCertificate } from '../../verify/tls-probe.js';
import { chainTrustFindings, servedChainTrust } from '../../verify/tls-trust.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import { WIRE_NAMESPACE } from '../../workloads/migrations/job-check.js';
import { parseJobs } from '../../workloads/migrations/kube-objects.js';
import { selfSignedPaths } from '../../workloads/values/certificate-files.js';
import type { Implementation, WireStageOptions } from './types.js';

/**
 * The verify steps (docs/wire/health-and-ports.md#health-checks) from the admin host: kubectl for nodes, pods, jobs and
 * cert-manager's Certificates; node:tls and node:https against the ingress (src/verify/
 * ingress-endpoint.ts says which address and why) for the served certificate, the API status
 * and the web app. Checks only, run on every apply.
 */
const kubeconfig = (inventory: Inventory, options: WireStageOptions) =>
  adminKubeconfigPath(inventory, options.inventoryDir);

async function kubectlJson(
  host: RemoteHost,
  kubeconfigPath: string,
  what: string,
  args: string,
): Promise<unknown> {
  const result = await runOrFail(host, what, kubectl(kubeconfigPath, args));
  return JSON.parse(result.stdout) as unknown;
}

/** How many crashing pods' logs are read for hints. */
const LOGS_READ = 5;

async function podsCheck(host: RemoteHost, kubeconfigPath: string): Promise<Finding[]> {
  const list = (await kubectlJson(host, kubeconfigPath, 'listing pods', 'get pods -A -o json')) as {
    items?: PodJson[];
  };
  const bad = badPods(list);
  const logs = new Map<string, string>();
  for (const pod of bad.filter((p) => p.crashing).slice(0, LOGS_READ)) {
    const args = `-n ${shellQuote(pod.namespace)} logs ${shellQuote(pod.name)} --all-containers --tail=20 --previous`;
    const result = await host.exec(kubectl(kubeconfigPath, args));
    logs.set(`${pod.namespace}/${pod.name}`, result.stdout);
  }
  return podHealthFindings(bad, logs);
}

async function jobsCheck(host: RemoteHost, kubeconfigPath: string): Promise<Finding[]> {
  const result = await runOrFail(
    host,
    'listing jobs',
    kubectl(kubeconfigPath, `-n ${WIRE_NAMESPACE} get jobs -o json`),
  );
  const jobs = parseJobs(result.stdout);
  const findings: Finding[] = [];
  const failed = jobs.filter((job) => job.state === 'failed');
  if (failed.length > 0)
    findings.push({
      severity: 'error',
      rule: 'verify.jobs',
      message: `jobs failed: ${failed.map((job) => `${job.name} (${job.reason ?? 'Failed'})`).join(', ')}`,
      required: 'every hook job Complete',
      fix: `apply --only migrations.${failed[0]?.name ?? ''} shows the failed container and its log; kubectl describe job ${failed[0]?.name ?? ''}`,
    });
  const names = new Set(jobs.map((job) => job.name));
  const missing = MIGRATION_JOBS.map((job) => job.job).filter((name) => !names.has(name));
  if (missing.length > 0)
    findings.push({
      severity: 'warning',
      rule: 'verify.jobs',
      message: `wire-server's hook jobs not found: ${missing.join(', ')}`,
      required: 'the hook jobs of the last helm upgrade (they stay until the next one)',
      fix: 'helm status wire-server; kubectl get jobs',
    });
  return findings;
}

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
          kubeconfig(inventory, options),
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

async function httpsCheck(
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

/** A malformed WIRE_INSTALL_INGRESS is bad input, refused before any host is contacted (exit 2). */
async function checkIngressOverride(inventory: Inventory): Promise<void> {
  ingressEndpoint(inventory);
}

export const VERIFY_IMPLEMENTATIONS: Record<string, Implementation> = {
  'verify.nodes': {
    alwaysRun: true,
    operations: (inventory, _host, options) => {
      const path = kubeconfig(inventory, options);
      return [
        verifyCheck('nodes Ready', path, async (context) => [
          ...nodeFindings(
            inventory,
            (await kubectlJson(context.host, path, 'listing nodes', 'get nodes -o json')) as never,
          ),
          ...podFindings(
            (await kubectlJson(
              context.host,
              path,
              'listing kube-system pods',
              '-n kube-system get pods -o json',
            )) as never,
          ),
        ]),
      ];
    },
  },
  'verify.pods': {
    alwaysRun: true,
    operations: (inventory, _host, options) => {
      const path = kubeconfig(inventory, options);
      return [verifyCheck('pods Running or Completed', path, (context) => podsCheck(context.host, path))];
    },
  },
  'verify.jobs': {
    alwaysRun: true,
    operations: (inventory, _host, options) => {
      const path = kubeconfig(inventory, options);
      return [verifyCheck('hook jobs complete', path, (context) => jobsCheck(context.host, path))];
    },
  },
  'verify.certificate': {
    alwaysRun: true,
    beforeConnect: checkIngressOverride,
    operations: (inventory, _host, options) => [
      verifyCheck('the served certificate', kubeconfig(inventory, options), (context) =>
        certificateCheck(context.host, inventory, options),
      ),
    ],
  },
  'verify.api-status': {
    alwaysRun: true,
    beforeConnect: checkIngressOverride,
    operations: (inventory) => [
      verifyCheck('the API status', undefined, () =>
        httpsCheck(inventory, 'nginz-https', '/status', 'verify.api-status'),
      ),
    ],
  },
  'verify.webapp': {
    alwaysRun: true,
    beforeConnect: checkIngressOverride,
    operations: (inventory) => [
      verifyCheck('the web app', undefined, () => httpsCheck(inventory, 'webapp', '/', 'verify.webapp')),
    ],
  },
  'verify.coturn-addresses': {
    alwaysRun: true,
    operations: (inventory, _host, options) => {
      const path = kubeconfig(inventory, options);
      return [
        verifyCheck('coturn addresses', path, (context) =>
          checkCoturn(context.host, (args) => kubectl(path, args), inventory, WIRE_NAMESPACE),
        ),
      ];
    },
  },
};
