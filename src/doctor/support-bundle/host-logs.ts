import type { RemoteHost } from '../../hosts/types.js';

/**
 * What each connected host contributes to a support bundle, read in ONE command per host (a
 * round trip each, all hosts at once: fast at 20 hosts): the last 300 journal lines of each of
 * Wire's units that logged anything there, the failed units, disk and memory. Sections are
 * separated by a marker line the script prints; nothing is changed on the host.
 */

/**
 * Wire's units (docs/wire/install-sequences.md#offline-production, docs/wire/charts-values-secrets.md: the databases' services, Kubernetes' kubelet and containerd, the
 * asset host's serve-assets, time sync). PostgreSQL's is a glob: Debian runs postgresql@15-main.
 */
export const WIRE_UNITS: readonly { file: string; unit: string }[] = [
  { file: 'cassandra', unit: 'cassandra' },
  { file: 'elasticsearch', unit: 'elasticsearch' },
  { file: 'minio-server1', unit: 'minio-server1' },
  { file: 'minio-server2', unit: 'minio-server2' },
  { file: 'postgresql', unit: 'postgresql*' },
  { file: 'rabbitmq-server', unit: 'rabbitmq-server' },
  { file: 'kubelet', unit: 'kubelet' },
  { file: 'containerd', unit: 'containerd' },
  { file: 'serve-assets', unit: 'serve-assets' },
  { file: 'chrony', unit: 'chrony' },
];

export const JOURNAL_LINES = 300;
const MARKER = '@@wire-install-support-bundle@@';
/** A slow host must not hold the whole bundle: its note says it timed out. */
export const HOST_TIMEOUT_MS = 60_000;

/** The one script run on each host; every section starts with `MARKER <file name>`. */
export function hostScript(): string {
  const journals = WIRE_UNITS.map(
    ({ file, unit }) =>
      // Only units that logged something (journalctl prints "-- No entries --" otherwise).
      `if journalctl --no-pager -q -n 1 -u '${unit}' 2>/dev/null | grep -q .; then ` +
      `echo '${MARKER} journal-${file}.log'; journalctl --no-pager -n ${JOURNAL_LINES} -u '${unit}' 2>&1; fi`,
  );
  return [
    ...journals,
    `echo '${MARKER} systemctl-failed.txt'; systemctl --failed --no-pager 2>&1`,
    `echo '${MARKER} df.txt'; df -h 2>&1`,
    `echo '${MARKER} free.txt'; free -m 2>&1`,
    'true',
  ].join('\n');
}

/** The script's output as files (name -> text). */
export function parseHostOutput(stdout: string): Map<string, string> {
  const files = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined) files.set(name, `${lines.join('\n').replace(/\n+$/, '')}\n`);
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARKER} `)) {
      flush();
      name = line.slice(MARKER.length + 1).trim();
      lines = [];
    } else if (name !== undefined) lines.push(line);
  }
  flush();
  return files;
}

/** The host's files, or one `error.txt` saying why there are none (the bundle is still made). */
export async function collectHost(host: RemoteHost, signal: AbortSignal): Promise<Map<string, string>> {
  try {
    const result = await host.exec(hostScript(), { timeoutMs: HOST_TIMEOUT_MS, signal });
    const files = parseHostOutput(result.stdout);
    if (result.exitCode !== 0 || result.stderr.trim() !== '')
      files.set(
        'error.txt',
        `the collecting script exited ${result.exitCode}\nstderr:\n${result.stderr.trim()}\n`,
      );
    return files;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return new Map([['error.txt', `nothing collected from ${host.name}: ${message}\n`]]);
  }
}
