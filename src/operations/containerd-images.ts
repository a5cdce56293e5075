import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import { checksumListOf, HTTP_GET } from './asset-download.js';
import { lastLines, runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * Image tarballs imported into containerd, Wire's way (seed-offline-containerd.yml, docs/wire/install-sequences.md#image-seeding):
 * each tarball listed in `<folder>/index.txt` on the asset host is streamed from it
 * straight into `ctr -n=k8s.io images import -`, with no copy on the node's disk.
 *
 * Unlike Wire's loop, a tarball already imported is not downloaded again: after an import, a
 * record named by the tarball's sha256 (the checksum the asset host published when it unpacked
 * the bundle, `<folder>.SHA256SUMS`) lists the images it brought. A tarball is due when it has
 * no record, or when an image of its record is no longer in `ctr images ls -q` (removed by
 * hand or by a reset). The stream is checked against the published checksum on the way: its
 * last chunk is held back until the checksum matches, so ctr never sees a whole corrupt file,
 * and no record is written for it.
 */
export interface ImageSeedSpec {
  /** http://<assethost>:8080 */
  baseUrl: string;
  /** Folders under /opt/assets with an index.txt: containers-system, containers-helm. */
  folders: readonly string[];
  /** containerd namespace the kubelet uses: k8s.io. */
  namespace: string;
  /** Where the per-tarball records live on the host. */
  recordDir: string;
  /** Changes when the bundle changes (the step's fingerprint): size and time of the tars. */
  bundleStamp: string;
  /** Per tarball; Wire gives the whole loop an hour. */
  importTimeoutMs?: number;
}

export interface ImageTarball {
  /** Path under /opt/assets, e.g. containers-helm/quay.io_wire_brig_5.32.0.tar */
  file: string;
  sha256: string;
}

interface ImageRecord {
  file: string;
  images: string[];
}

/**
 * Streams argv[1] to stdout, holding the last chunk back until the sha256 of everything read
 * equals argv[2]; exits 1 naming both checksums when it does not.
 */
const STREAM_CHECKED = `python3 -c ${shellQuote(
  [
    'import sys,hashlib,urllib.request as u',
    'url,want=sys.argv[1],sys.argv[2]',
    'h=hashlib.sha256();out=sys.stdout.buffer;held=b""',
    'try:',
    '  r=u.urlopen(url,timeout=60)',
    '  while True:',
    '    c=r.read(1<<16)',
    '    if not c: break',
    '    h.update(c)',
    '    if held: out.write(held)',
    '    held=c',
    'except Exception as e:',
    '  sys.exit(f"{url}: {e}")',
    'if h.hexdigest()!=want:',
    '  sys.exit(f"{url}: served content has sha256 {h.hexdigest()}, the asset host published {want}")',
    'out.write(held);out.flush()',
  ].join('\n'),
)}`;

/** Index lines are file names (Wire's loop splits on whitespace); # starts a comment. */
export function parseIndex(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line) => (line.split('#')[0] ?? '').split(/\s+/))
    .filter((name) => name !== '');
}

export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](?:\.\/)?(.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) sums.set(match[2], match[1]);
  }
  return sums;
}

/** Image names ctr says it imported ("unpacking <name> (sha256:...)...done"). */
export function importedImages(ctrOutput: string): string[] {
  return [...ctrOutput.matchAll(/^unpacking (\S+) \(/gm)].map((match) => match[1] ?? '').filter(Boolean);
}

export function parseRecords(text: string): Map<string, ImageRecord> {
  const records = new Map<string, ImageRecord>();
  let current: ImageRecord | undefined;
  for (const line of text.split('\n')) {
    const header = /^== .*\/([0-9a-f]{64})$/.exec(line);
    if (header?.[1]) {
      current = { file: '', images: [] };
      records.set(header[1], current);
    } else if (current && line.startsWith('file ')) current.file = line.slice(5);
    else if (current && line.startsWith('image ')) current.images.push(line.slice(6));
  }
  return records;
}

/** The tarballs the asset host lists, with their published checksums; a reason when it cannot. */
async function listTarballs(
  host: RemoteHost,
  spec: ImageSeedSpec,
): Promise<{ tarballs: ImageTarball[] } | { problem: string }> {
  const tarballs: ImageTarball[] = [];
  for (const folder of spec.folders) {
    const get = (path: string) => host.exec(`${HTTP_GET} ${shellQuote(`${spec.baseUrl}/${path}`)}`);
    const index = await get(`${folder}/index.txt`);
    if (index.exitCode !== 0)
      return { problem: `the asset host does not answer: ${lastLines(index.stderr, 1)[0] ?? ''}` };
    const list = checksumListOf(`${folder}/index.txt`);
    const sums = await get(list);
    if (sums.exitCode !== 0) return { problem: `the asset host does not serve ${list}` };
    const published = parseChecksums(sums.stdout);
    for (const name of parseIndex(index.stdout)) {
      const file = `${folder}/${name}`;
      const sha256 = published.get(file);
      if (!sha256)
        return {
          problem: `${file} is listed in ${folder}/index.txt but not in ${list}: the bundle lacks it`,
        };
      tarballs.push({ file, sha256 });
    }
  }
  return { tarballs };
}

async function readRecords(host: RemoteHost, spec: ImageSeedSpec): Promise<Map<string, ImageRecord>> {
  const dir = shellQuote(spec.recordDir);
  const result = await runOrFail(
    host,
    `reading ${spec.recordDir}`,
    `if [ -d ${dir} ]; then for f in ${dir}/*; do [ -f "$f" ] && echo "== $f" && cat "$f"; done; fi; true`,
  );
  return parseRecords(result.stdout);
}

/** What containerd has in the namespace; undefined when ctr does not answer. */
async function imagesInContainerd(host: RemoteHost, spec: ImageSeedSpec): Promise<Set<string> | undefined> {
  const result = await host.exec(`ctr -n ${shellQuote(spec.namespace)} images ls -q`);
  if (result.exitCode !== 0) return undefined;
  return new Set(result.stdout.split('\n').filter(Boolean));
}

/** The listed tarballs to import, and why: no record, or an image of its record gone. */
async function survey(
  context: OperationContext,
  spec: ImageSeedSpec,
  listed: ImageTarball[],
): Promise<{ tarball: ImageTarball; why: string }[]> {
  const records = await readRecords(context.host, spec);
  const present = (await imagesInContainerd(context.host, spec)) ?? new Set<string>();
  const due: { tarball: ImageTarball; why: string }[] = [];
  for (const tarball of listed) {
    const record = records.get(tarball.sha256);
    const missing = record?.images.filter((image) => !present.has(image)) ?? [];
    if (!record) due.push({ tarball, why: 'new' });
    else if (missing.length > 0) due.push({ tarball, why: `${missing.join(', ')} not in containerd` });
  }
  return due;
}

const summary = (listed: number, imported: number) =>
  `${listed} image tarball${listed === 1 ? '' : 's'} listed: ${imported} imported, ${listed - imported} already in containerd`;

export function imageSeedOperation(spec: ImageSeedSpec): Operation {
  const dir = shellQuote(spec.recordDir);
  const namespace = shellQuote(spec.namespace);

  const importOne = async (context: OperationContext, tarball: ImageTarball): Promise<string[]> => {
    const { host } = context;
    const url = `${spec.baseUrl}/${tarball.file}`;
    const before = (await imagesInContainerd(host, spec)) ?? new Set<string>();
    const pipeline = `set -o pipefail; ${STREAM_CHECKED} ${shellQuote(url)} ${tarball.sha256} | ctr -n=${namespace} images import -`;
    const result = await runOrFail(host, `importing ${tarball.file}`, `bash -c ${shellQuote(pipeline)}`, {
      timeoutMs: spec.importTimeoutMs ?? 60 * 60_000,
      next: `check ${tarball.file} on the asset host against ${checksumListOf(tarball.file)}; unpack the bundle again if it differs (wire-install apply --only assets --force assets.unpack-bundle)`,
    });
    let images = importedImages(result.stdout);
    if (images.length === 0) {
      const after = (await imagesInContainerd(host, spec)) ?? new Set<string>();
      images = [...after].filter((image) => !before.has(image));
    }
    const record = [`file ${tarball.file}`, ...images.map((image) => `image ${image}`), ''].join('\n');
    await runOrFail(
      host,
      `recording the import of ${tarball.file}`,
      `mkdir -p ${dir} && cat > ${dir}/${tarball.sha256}.new && mv -f ${dir}/${tarball.sha256}.new ${dir}/${tarball.sha256}`,
      { stdin: record },
    );
    return images;
  };

  return {
    kind: 'container-images',
    target: `${spec.folders.join(', ')} -> containerd ${spec.namespace}`,
    inputs: { ...spec },
    async check(context): Promise<OperationOutcome> {
      const listed = await listTarballs(context.host, spec);
      if ('problem' in listed)
        return {
          changes: [`import the images listed in ${spec.folders.map((f) => `${f}/index.txt`).join(' and ')}`],
          notes: [listed.problem],
        };
      const notes =
        (await imagesInContainerd(context.host, spec)) === undefined
          ? ['containerd does not answer yet: every tarball without a record is due']
          : [];
      const due = await survey(context, spec, listed.tarballs);
      return {
        changes: due.map(({ tarball, why }) => `import ${tarball.file} (${why})`),
        notes: [...notes, summary(listed.tarballs.length, due.length).replace('imported', 'to import')],
      };
    },
    async apply(context): Promise<OperationOutcome> {
      const listed = await listTarballs(context.host, spec);
      if ('problem' in listed)
        throw new WireInstallError({
          what: `${context.host.name}: cannot seed images: ${listed.problem}`,
          host: context.host.name,
          next: 'run the assets stage first (wire-install apply --only assets) and check serve-assets on the asset host',
        });
      if ((await imagesInContainerd(context.host, spec)) === undefined)
        throw new WireInstallError({
          what: `${context.host.name}: containerd does not answer (ctr -n ${spec.namespace} images ls)`,
          host: context.host.name,
          next: 'run kubernetes.containerd first; see systemctl status containerd',
        });
      const due = await survey(context, spec, listed.tarballs);
      const changes: string[] = [];
      const failures: { file: string; error: unknown }[] = [];
      // One at a time on a host, as Wire's loop: containerd unpacks each image as it comes.
      for (const { tarball } of due) {
        try {
          const images = await importOne(context, tarball);
          changes.push(`import ${tarball.file} (${images.join(', ') || 'no image named'})`);
        } catch (error) {
          failures.push({ file: tarball.file, error });
        }
      }
      if (failures.length > 0)
        throw new WireInstallError({
          what: `${context.host.name}: ${failures.length} image tarball${failures.length === 1 ? '' : 's'} not imported: ${failures.map((f) => f.file).join(', ')}`,
          host: context.host.name,
          evidence: [
            `${changes.length} other tarball${changes.length === 1 ? '' : 's'} imported and recorded: a re-run skips them`,
            ...failures.flatMap(({ error }) =>
              error instanceof WireInstallError ? [error.what, ...error.evidence] : [String(error)],
            ),
          ],
          next:
            failures[0]?.error instanceof WireInstallError
              ? (failures[0].error.next ?? 'fix the tarball on the asset host and apply again')
              : 'fix the tarball on the asset host and apply again',
        });
      return { changes, notes: [summary(listed.tarballs.length, due.length)] };
    },
  };
}
