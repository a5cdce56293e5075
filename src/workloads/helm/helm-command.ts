import { shellQuote } from '../../hosts/become.js';
import type { ReleaseFilePaths } from './release-files.js';

/**
 * One release as Wire's bin/helm-operations.sh installs it (docs/wire/charts-values-secrets.md#install-order): `helm upgrade --install`
 * with --wait and a timeout, so the next chart starts only when this one is ready (the order
 * matters: the databases' charts before wire-server, cert-manager's CRDs before
 * nginx-ingress-services). Values and secrets only as -f files; nothing from them on argv.
 */
export interface HelmUpgrade {
  release: string;
  chartDir: string;
  namespace: string;
  timeout: string;
  kubeconfig: string;
  files: ReleaseFilePaths;
}

export function helmUpgradeArgs(upgrade: HelmUpgrade): string[] {
  return [
    'upgrade',
    '--install',
    upgrade.release,
    upgrade.chartDir,
    '--namespace',
    upgrade.namespace,
    '--create-namespace',
    '--wait',
    '--timeout',
    upgrade.timeout,
    '--kubeconfig',
    upgrade.kubeconfig,
    '-f',
    upgrade.files.values,
    ...(upgrade.files.secrets ? ['-f', upgrade.files.secrets] : []),
  ];
}

/** Words that need no quoting stay bare, so the command reads as typed in failures and the debug log. */
const BARE = /^[A-Za-z0-9_./:=@%+-]+$/;

export function helmUpgradeCommand(upgrade: HelmUpgrade): string {
  return helmCommandLine(helmUpgradeArgs(upgrade));
}

/** Any helm command as one shell line (status and rollback too, src/upgrade/charts). */
export function helmCommandLine(args: readonly string[]): string {
  return ['helm', ...args].map((word) => (BARE.test(word) ? word : shellQuote(word))).join(' ');
}
