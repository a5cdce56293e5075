import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pemValues, secretValues } from '../secrets/redact.js';
import { certificateKeyTexts } from '../workloads/values/certificate-files.js';
import { type BundleFile, checkDestination, safeName, writeArchive } from './support-bundle/archive.js';
import { collectCluster } from './support-bundle/cluster.js';
import { collectHost } from './support-bundle/host-logs.js';
import { collectLocalFiles } from './support-bundle/local-files.js';
import { Redactor } from './support-bundle/redactor.js';
import type { DoctorContext, DoctorReport } from './types.js';

/**
 * `doctor --support-bundle FILE`: what support asks for first, in one .tar.gz under one folder
 * `wire-install-support-<date>/`: the report just made, each host's facts, journals of Wire's
 * units, failed units, disk and memory, the state file and the other non-secret files of
 * .wire-install/, the newest debug logs, and with a cluster its pods, events and the logs of
 * the pods that are not Running. Every file is redacted before it is written (redactor.ts):
 * secrets.yaml's values, the ingress certificate's keys, the kubeconfig's credentials, and
 * anything shaped like a key.
 */
export interface SupportBundleInput {
  context: DoctorContext;
  /** The report just made. */
  report: DoctorReport;
}

export interface SupportBundleSummary {
  /** The absolute path written. */
  file: string;
  /** Files in the archive. */
  entries: number;
  /** Size of the archive. */
  bytes: number;
  /** Values replaced by `[redacted]`. */
  redactions: number;
}

/** `wire-install-support-20251123-154132` (UTC): sorts by time, no characters tar or Windows mind. */
export function bundleFolderName(now: Date): string {
  const iso = now.toISOString();
  return `wire-install-support-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/**
 * The check writeSupportBundle makes first, for a caller that wants to refuse an unwritable FILE
 * before the checks run (bad input, exit 2): returns FILE's absolute path.
 */
export const checkSupportBundleFile = checkDestination;

/**
 * The admin kubeconfig's credentials: not in secrets.yaml, but if a log ever echoed the file,
 * its base64 key data is no PEM block the patterns would see.
 */
async function kubeconfigValues(path: string | undefined): Promise<string[]> {
  if (path === undefined) return [];
  const text = await readFile(path, 'utf8').catch(() => '');
  return [...text.matchAll(/^\s*(?:client-key-data|token|password):\s*(\S+)\s*$/gm)].flatMap((m) =>
    m[1] && m[1].length >= 8 ? [m[1]] : [],
  );
}

async function secretTexts(context: DoctorContext): Promise<string[]> {
  return [
    ...(context.secrets ? secretValues(context.secrets) : []),
    // The runner's list: secrets.yaml's values even when the file does not load.
    ...(context.hiddenValues ?? []),
    ...certificateKeyTexts(context.inventory, context.inventoryDir).flatMap(pemValues),
    ...(await kubeconfigValues(context.installed.kubeconfig)),
  ];
}

export async function writeSupportBundle(
  file: string,
  input: SupportBundleInput,
): Promise<SupportBundleSummary> {
  const { context, report } = input;
  // An unwritable FILE is bad input: said before minutes are spent collecting.
  const path = await checkDestination(file);
  const redactor = new Redactor(await secretTexts(context));
  const files: BundleFile[] = [];
  const add = (name: string, text: string) => files.push({ name, text: redactor.apply(text) });
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

  add('report.json', json(report));
  for (const [name, facts] of context.facts) add(`facts/${safeName(name)}.json`, json(facts));
  // inventoryFile is relative to the command's cwd (for display); the file itself sits in inventoryDir.
  const inventoryPath = join(context.inventoryDir, basename(context.inventoryFile));
  for (const local of await collectLocalFiles(inventoryPath, context.inventoryDir))
    add(local.name, local.text);

  const hosts = [...context.hosts.values()];
  const collected = await Promise.all(hosts.map((host) => collectHost(host, context.signal)));
  hosts.forEach((host, index) => {
    for (const [name, text] of collected[index] ?? []) add(`hosts/${safeName(host.name)}/${name}`, text);
  });
  for (const [name, reason] of context.unreachable)
    add(`hosts/${safeName(name)}/error.txt`, `not reachable, nothing collected: ${reason}\n`);

  const kubeconfig = context.installed.kubeconfig;
  if (kubeconfig !== undefined)
    for (const clusterFile of await collectCluster(context.admin, kubeconfig, context.signal))
      add(`cluster/${clusterFile.name}`, clusterFile.text);

  const now = new Date();
  const top = bundleFolderName(now);
  // What the bundle is, for whoever unpacks it (the count is of the files above).
  add(
    'bundle.json',
    json({
      createdAt: now.toISOString(),
      inventory: context.inventoryFile,
      hosts: hosts.map((host) => host.name),
      unreachable: [...context.unreachable.keys()],
      cluster: kubeconfig !== undefined,
      redactions: redactor.count,
    }),
  );
  const bytes = await writeArchive(path, top, files);
  return { file: path, entries: files.length, bytes, redactions: redactor.count };
}
