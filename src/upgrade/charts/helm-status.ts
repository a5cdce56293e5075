import { WireInstallError } from '../../core/errors.js';
import { ADMIN_HOST } from '../../hosts/local-host.js';
import type { RemoteHost } from '../../hosts/types.js';
import { lastLines } from '../../operations/run.js';
import { helmCommandLine } from '../../workloads/helm/helm-command.js';

/**
 * `helm status <release> -o json`: the revision a release is at now (helm's `version`), or
 * null when helm has no such release. Read-only; anything else helm says is a failure naming
 * the command and helm's last stderr lines.
 */
export interface ReleaseStatus {
  revision: number | null;
  /** e.g. "wire-server-5.28.0"; undefined when helm did not say. */
  chart: string | undefined;
}

interface HelmStatusJson {
  version?: unknown;
  chart?: { metadata?: { name?: unknown; version?: unknown } };
}

export function helmStatusArgs(release: string, namespace: string, kubeconfig: string): string[] {
  return ['status', release, '--namespace', namespace, '-o', 'json', '--kubeconfig', kubeconfig];
}

export async function helmReleaseStatus(
  host: RemoteHost,
  release: string,
  namespace: string,
  kubeconfig: string,
): Promise<ReleaseStatus> {
  const command = helmCommandLine(helmStatusArgs(release, namespace, kubeconfig));
  const result = await host.exec(command);
  if (result.exitCode !== 0 && /release: not found/.test(result.stderr))
    return { revision: null, chart: undefined };
  // Never stdout: `helm status -o json` prints the release's values, secrets.yaml's among them.
  const failed = (why: string) =>
    new WireInstallError({
      what: `cannot read the helm revision of release ${release}: ${why}`,
      host: ADMIN_HOST,
      evidence: [
        `command: ${command}`,
        `stdout: ${result.stdout.length} characters (not shown: it holds the release's values)`,
        ...lastLines(result.stderr).map((line) => `| ${line}`),
      ],
      next: `check that the cluster answers (kubectl get nodes) and run the upgrade again: it resumes at ${release}`,
    });
  if (result.exitCode !== 0) throw failed(`helm exited with ${result.exitCode}`);
  let parsed: HelmStatusJson;
  try {
    parsed = JSON.parse(result.stdout) as HelmStatusJson;
  } catch {
    throw failed('its output is not JSON');
  }
  if (typeof parsed.version !== 'number' || !Number.isInteger(parsed.version))
    throw failed('its output has no revision (version)');
  const { name, version } = parsed.chart?.metadata ?? {};
  return {
    revision: parsed.version,
    chart: typeof name === 'string' && version !== undefined ? `${name}-${String(version)}` : undefined,
  };
}
