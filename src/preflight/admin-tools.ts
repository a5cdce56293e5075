import type { Finding } from '../core/finding.js';
import type { RemoteHost } from '../hosts/types.js';

/**
 * helm and kubectl on the admin host (docs/wire/install-sequences.md#admin-tools-container: Wire's admin image ships helm 3 and
 * kubectl). Measured by running them: `helm version --short` and `kubectl version --client -o
 * json`. kubectl is supported within one minor version of the cluster (Kubernetes' skew
 * policy); the bundle's cluster is 1.29 (docs/wire/inventory-and-hardware.md#group-and-cluster-variables), so 1.28-1.30 pass and others
 * are a warning.
 */
export const BUNDLE_KUBERNETES_MINOR = 29;

export interface AdminTools {
  /** Command names or paths, so tests can point at their own executables. */
  helm: string;
  kubectl: string;
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

export async function checkAdminTools(host: RemoteHost, tools: AdminTools): Promise<Finding[]> {
  const findings: Finding[] = [];
  const helm = await host.exec(`${tools.helm} version --short`);
  const helmVersion = /^v?(\d+)\.(\d+)\.(\d+)/.exec(helm.stdout.trim());
  if (helm.exitCode !== 0 || !helmVersion) {
    findings.push({
      severity: 'error',
      rule: 'preflight.helm',
      message: 'helm is not usable on the admin host; the workloads stage installs every chart with it',
      measured:
        helm.exitCode === 127
          ? 'not found on PATH'
          : firstLine(helm.stderr || helm.stdout) || `exit ${helm.exitCode}`,
      required: 'helm 3',
      fix: "install helm 3 on the admin host (Wire's admin image has it), or put it on PATH",
    });
  } else if (helmVersion[1] !== '3') {
    findings.push({
      severity: 'error',
      rule: 'preflight.helm',
      message: `helm ${helmVersion[0]} is not helm 3, which Wire's charts need`,
      measured: helmVersion[0],
      required: 'helm 3',
      fix: 'install helm 3 on the admin host',
    });
  }
  const kubectl = await host.exec(`${tools.kubectl} version --client -o json`);
  let minor: number | undefined;
  let version = '';
  try {
    const parsed = JSON.parse(kubectl.stdout) as { clientVersion?: { minor?: string; gitVersion?: string } };
    minor = Number.parseInt(parsed.clientVersion?.minor ?? '', 10);
    version = parsed.clientVersion?.gitVersion ?? '';
  } catch {
    minor = undefined;
  }
  if (kubectl.exitCode !== 0 || minor === undefined || Number.isNaN(minor)) {
    findings.push({
      severity: 'error',
      rule: 'preflight.kubectl',
      message: 'kubectl is not usable on the admin host; the cluster is checked and configured with it',
      measured:
        kubectl.exitCode === 127
          ? 'not found on PATH'
          : firstLine(kubectl.stderr || kubectl.stdout) || `exit ${kubectl.exitCode}`,
      required: `kubectl 1.${BUNDLE_KUBERNETES_MINOR - 1} to 1.${BUNDLE_KUBERNETES_MINOR + 1}`,
      fix: 'install kubectl on the admin host (the bundle has it in binaries.tar), or put it on PATH',
    });
  } else if (Math.abs(minor - BUNDLE_KUBERNETES_MINOR) > 1) {
    findings.push({
      severity: 'warning',
      rule: 'preflight.kubectl',
      message: `kubectl ${version} is more than one minor version away from the bundle's Kubernetes 1.${BUNDLE_KUBERNETES_MINOR}`,
      measured: version,
      required: `kubectl 1.${BUNDLE_KUBERNETES_MINOR - 1} to 1.${BUNDLE_KUBERNETES_MINOR + 1}`,
      fix: "use the bundle's kubectl (binaries/kubectl)",
    });
  }
  return findings;
}
