import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Finding } from '../core/finding.js';
import { sha256File } from '../operations/artifact.js';

/**
 * Wire's offline bundle checked on the admin host before any host is contacted (docs/wire/install-sequences.md#offline-bundle):
 * every item the install needs is there, every file listed in a checksum file in the bundle
 * (SHA256SUMS, in `sha256sum` format) has its checksum, and every tarball reads to its end (a
 * copy cut short is the usual corruption). Wire ships no checksum list of its own; operators
 * who have one (or make one where the bundle was downloaded) put it beside the items.
 */
export interface BundleItem {
  path: string;
  /** What needs it, for the message. */
  neededBy: string;
  kind: 'file' | 'directory' | 'tar';
}

/** What the offline path uses from the bundle (docs/wire/install-sequences.md#offline-production, #offline-bundle). */
export const BUNDLE_ITEMS: readonly BundleItem[] = [
  {
    path: 'debs-jammy.tar',
    kind: 'tar',
    neededBy: "the nodes' apt repository (assets, bootstrap-host.apt-sources)",
  },
  { path: 'binaries.tar', kind: 'tar', neededBy: 'Kubernetes binaries, Cassandra, Elasticsearch, MinIO' },
  {
    path: 'containers-system.tar',
    kind: 'tar',
    neededBy: 'the images Kubernetes starts with (kubernetes.seed-images)',
  },
  {
    path: 'containers-helm.tar',
    kind: 'tar',
    neededBy: "the images of Wire's charts (kubernetes.seed-images)",
  },
  { path: 'charts', kind: 'directory', neededBy: "Wire's Helm charts (workloads)" },
  { path: 'charts/wire-server/Chart.yaml', kind: 'file', neededBy: 'the wire-server chart and its version' },
  { path: 'values', kind: 'directory', neededBy: "the charts' example values (workloads)" },
];

export const CHECKSUM_FILE = 'SHA256SUMS';

async function kindOf(path: string): Promise<'file' | 'directory' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'directory' : 'file';
  } catch {
    return undefined;
  }
}

/** `sha256sum` lines: "<hex>  <path>" (or "<hex> *<path>" for binary mode). */
export function parseChecksums(text: string): { sha256: string; path: string }[] {
  return text
    .split('\n')
    .map((line) => /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ sha256: match[1] ?? '', path: match[2] ?? '' }));
}

const finding = (rule: string, message: string, fix: string, extra: Partial<Finding> = {}): Finding => ({
  severity: 'error',
  rule,
  message,
  fix,
  ...extra,
});

export async function verifyBundle(
  root: string,
  items: readonly BundleItem[] = BUNDLE_ITEMS,
): Promise<Finding[]> {
  if ((await kindOf(root)) !== 'directory')
    return [
      finding(
        'bundle.path',
        `the bundle directory ${root} does not exist`,
        'set bundle.path in the inventory to the unpacked wire-server-deploy-static-<hash> directory',
      ),
    ];
  const findings: Finding[] = [];
  for (const item of items) {
    const path = join(root, item.path);
    const kind = await kindOf(path);
    const wanted = item.kind === 'directory' ? 'directory' : 'file';
    if (kind !== wanted) {
      findings.push(
        finding(
          'bundle.missing',
          `${path} is missing from the bundle (needed for ${item.neededBy})`,
          'unpack the whole bundle again (tar xzf wire-server-deploy-static-<hash>.tgz) into an empty directory',
          {
            measured: kind ? `a ${kind}` : 'missing',
            required: `a ${wanted}`,
          },
        ),
      );
      continue;
    }
    if (item.kind === 'tar') {
      const listed = await execa('tar', ['-tf', path], { reject: false, stdout: 'ignore' });
      if (listed.exitCode !== 0)
        findings.push(
          finding(
            'bundle.corrupt',
            `${path} cannot be read to its end: it is damaged or was cut short`,
            'copy or unpack the bundle again and compare its size with the original',
            {
              measured: String(listed.stderr).trim().split('\n').at(-1) ?? `tar exit code ${listed.exitCode}`,
            },
          ),
        );
    }
  }
  const sums = await readFile(join(root, CHECKSUM_FILE), 'utf8').catch(() => undefined);
  for (const entry of sums ? parseChecksums(sums) : []) {
    const path = join(root, entry.path);
    if ((await kindOf(path)) !== 'file') {
      findings.push(
        finding(
          'bundle.missing',
          `${path} is listed in ${CHECKSUM_FILE} but missing`,
          'unpack the whole bundle again',
        ),
      );
      continue;
    }
    const measured = await sha256File(path);
    if (measured !== entry.sha256)
      findings.push(
        finding(
          'bundle.checksum',
          `${path} does not have the checksum ${CHECKSUM_FILE} gives: the file is damaged or not the one shipped`,
          'copy or unpack the bundle again from the original download',
          {
            measured: `sha256 ${measured}`,
            required: `sha256 ${entry.sha256}`,
          },
        ),
      );
  }
  return findings;
}
