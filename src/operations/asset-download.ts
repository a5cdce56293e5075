import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * A file a host takes from the asset host over HTTP (Wire's offline path: every node downloads
 * from http://<assethost>:8080, docs/wire/install-sequences.md#asset-host-and-apt-sources), checked against the sha256 the asset host
 * published when it unpacked the bundle (`<item>.SHA256SUMS` beside the item, written by the
 * assets stage). Nothing is downloaded when the file on the host already has that checksum, so
 * a re-run or a resumed run costs one small request. The download goes to a temporary file
 * beside the target, is verified, and only then renamed over it with its mode set.
 *
 * The host downloads with python3 (present on Ubuntu server and needed by no other tool here),
 * because curl and wget are not guaranteed on a minimal node and the node has no apt source yet
 * when it fetches the repository key.
 */
export interface AssetDownloadSpec {
  /** http://<assethost>:8080 */
  baseUrl: string;
  /** Path under /opt/assets, e.g. "binaries/minio". Its first part names the checksum list. */
  file: string;
  /** Where it goes on the host. */
  path: string;
  mode: number;
  /** Changes when the bundle changes (for the step's fingerprint): size and time of the tar. */
  bundleStamp: string;
}

/** Writes the body of the URL in argv[1] to stdout; exit 1 with the reason on stderr. */
export const HTTP_GET = `python3 -c ${shellQuote(
  'import sys,shutil,urllib.request as u\ntry:\n  shutil.copyfileobj(u.urlopen(sys.argv[1], timeout=60), sys.stdout.buffer)\nexcept Exception as e:\n  sys.exit(f"{sys.argv[1]}: {e}")',
)}`;

const octal = (mode: number) => mode.toString(8).padStart(3, '0');

export function checksumListOf(file: string): string {
  const [item] = file.split('/');
  return `${item}.SHA256SUMS`;
}

/** The checksum the asset host published for `file`; a reason when it cannot be had. */
async function publishedChecksum(
  host: RemoteHost,
  spec: AssetDownloadSpec,
): Promise<{ sha256: string } | { problem: string }> {
  const list = `${spec.baseUrl}/${checksumListOf(spec.file)}`;
  const result = await host.exec(`${HTTP_GET} ${shellQuote(list)}`);
  if (result.exitCode !== 0)
    return { problem: `the asset host does not answer: ${result.stderr.trim().split('\n').at(-1) ?? ''}` };
  for (const line of result.stdout.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](?:\.\/)?(.+)$/.exec(line.trim());
    if (match && match[2] === spec.file) return { sha256: match[1] ?? '' };
  }
  return { problem: `${spec.file} is not in ${list}: the bundle does not have it` };
}

export function assetDownloadOperation(spec: AssetDownloadSpec): Operation {
  const url = `${spec.baseUrl}/${spec.file}`;
  const target = shellQuote(spec.path);

  const differences = async (context: OperationContext, sha256: string): Promise<string[]> => {
    const result = await runOrFail(
      context.host,
      `inspecting ${spec.path}`,
      `if [ -f ${target} ]; then stat -c '%a' ${target} && sha256sum ${target} | cut -d' ' -f1; fi`,
    );
    const [mode, digest] = result.stdout.trim().split('\n');
    if (!mode) return ['new file'];
    return [
      ...(digest !== sha256 ? ['content'] : []),
      ...(mode !== octal(spec.mode) ? [`mode ${mode} -> ${octal(spec.mode)}`] : []),
    ];
  };
  const describe = (found: string[]) =>
    found.length === 0 ? [] : [`download ${spec.path} from ${url} (${found.join(', ')})`];

  const download = async (host: RemoteHost, sha256: string) => {
    const made = await runOrFail(
      host,
      `making a temporary file beside ${spec.path}`,
      `mkdir -p "$(dirname ${target})" && mktemp ${shellQuote(`${spec.path}.wire-install.XXXXXX`)}`,
    );
    const temporary = shellQuote(made.stdout.trim());
    try {
      await runOrFail(host, `downloading ${url}`, `${HTTP_GET} ${shellQuote(url)} > ${temporary}`, {
        next: 'check that serve-assets runs on the asset host (wire-install apply --only assets) and that this host reaches it on port 8080',
      });
      const sent = await runOrFail(host, `checksum of the downloaded ${spec.path}`, `sha256sum ${temporary}`);
      const digest = sent.stdout.trim().split(' ')[0];
      if (digest !== sha256)
        throw new WireInstallError({
          what: `${host.name}: ${url} does not have the checksum the asset host published`,
          host: host.name,
          evidence: [`published sha256 ${sha256}`, `downloaded sha256 ${digest}`],
          next: 'unpack the bundle on the asset host again: wire-install apply --only assets --force assets.unpack-bundle',
        });
      await runOrFail(
        host,
        `installing ${spec.path}`,
        `chmod ${octal(spec.mode)} ${temporary} && mv -f ${temporary} ${target}`,
      );
    } catch (error) {
      await host.exec(`rm -f ${temporary}`).catch(() => undefined);
      throw error;
    }
  };

  return {
    kind: 'asset',
    target: spec.path,
    inputs: { url, path: spec.path, mode: octal(spec.mode), bundle: spec.bundleStamp },
    async check(context): Promise<OperationOutcome> {
      const published = await publishedChecksum(context.host, spec);
      if ('problem' in published) {
        // In a plan the asset host may not serve yet: the download is due, the reason a note.
        context.changedPaths.add(spec.path);
        return { changes: [`download ${spec.path} from ${url}`], notes: [published.problem] };
      }
      const found = await differences(context, published.sha256);
      if (found.length > 0) context.changedPaths.add(spec.path);
      return { changes: describe(found), notes: [] };
    },
    async apply(context): Promise<OperationOutcome> {
      const published = await publishedChecksum(context.host, spec);
      if ('problem' in published)
        throw new WireInstallError({
          what: `${context.host.name}: cannot download ${spec.file}: ${published.problem}`,
          host: context.host.name,
          next: 'run the assets stage first (wire-install apply --only assets) and check serve-assets on the asset host',
        });
      const found = await differences(context, published.sha256);
      if (found.length === 0) return { changes: [], notes: [] };
      context.changedPaths.add(spec.path);
      if (found.includes('new file') || found.includes('content'))
        await download(context.host, published.sha256);
      else
        await runOrFail(
          context.host,
          `setting the mode of ${spec.path}`,
          `chmod ${octal(spec.mode)} ${target}`,
        );
      return { changes: describe(found), notes: [] };
    },
  };
}
