import { WireInstallError } from '../../core/errors.js';
import { shellQuote } from '../../hosts/become.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation, OperationContext } from '../../operations/types.js';
import type { UpgradeTarget } from '../types.js';
import { type BackupEntry, type BackupKind, readBackupManifest, recordBackup } from './manifest.js';

/**
 * One backup file on one host (the admin host or a database host), as an idempotent operation:
 * written once, never overwritten. A resumed upgrade, or one whose checkpoints were lost, keeps
 * the file taken before anything changed. The file is written under a temporary name and moved
 * into place with its `.sha256` beside it, so a file with its checksum is always complete; its
 * size and checksum are read back from the host and recorded in the upgrade's manifest.
 */
export interface BackupFileSpec {
  what: BackupKind;
  /** For the plan and messages: "the PostgreSQL dump of wire-server". */
  description: string;
  /** Folders to create, in order, mode 0700 (the backups hold secrets and data). */
  dirs: readonly string[];
  /** The backup's absolute path on the host. */
  path: string;
  /**
   * bash lines, run as root, that write the backup to "$partial" (a temporary file beside
   * `path`). Never a secret: they are command lines.
   */
  produce: readonly string[];
  /** The operation's inputs for the step fingerprint (the upgrade id, the paths). */
  inputs: Record<string, unknown>;
  /** The manifest on the admin host, and the upgrade it belongs to. */
  manifest: string;
  target: UpgradeTarget;
  /** Shown when writing the backup fails. */
  next?: string;
}

/** The script that writes the backup: 0600 in 0700 folders, checksum beside it, moved into place last. */
export function backupScript(spec: BackupFileSpec): string {
  const dir = spec.path.slice(0, spec.path.lastIndexOf('/'));
  const name = spec.path.slice(spec.path.lastIndexOf('/') + 1);
  return [
    'set -euo pipefail',
    'umask 077',
    `install -d -m 0700 ${spec.dirs.map(shellQuote).join(' ')}`,
    `final=${shellQuote(spec.path)}`,
    `partial=${shellQuote(`${dir}/.${name}.partial`)}`,
    'rm -f "$partial"',
    'trap \'rm -f "$partial"\' EXIT',
    ...spec.produce,
    'chmod 0600 "$partial"',
    'sum=$(sha256sum "$partial" | cut -d" " -f1)',
    'mv "$partial" "$final"',
    `printf '%s  %s\\n' "$sum" ${shellQuote(name)} > "$final.sha256"`,
  ].join('\n');
}

const REPORT_PREFIX = 'wire-install-backup';

/** Prints `wire-install-backup <bytes> <mtime seconds> <sha256 now> <sha256 recorded>`. */
export function reportCommand(path: string): string {
  const file = shellQuote(path);
  return `printf '${REPORT_PREFIX} %s %s %s\\n' "$(stat -c '%s %Y' ${file})" "$(sha256sum ${file} | cut -d' ' -f1)" "$(cut -d' ' -f1 ${file}.sha256)"`;
}

export interface BackupReport {
  bytes: number;
  sha256: string;
  when: string;
}

/** The host's report of its backup file; a checksum that changed since it was taken fails. */
export function parseBackupReport(host: string, path: string, stdout: string): BackupReport {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${REPORT_PREFIX} `));
  const [, bytes, mtime, now, recorded] = line?.trim().split(/\s+/) ?? [];
  const hex = /^[0-9a-f]{64}$/;
  if (!bytes || !mtime || !now || !recorded || !hex.test(now) || !/^\d+$/.test(bytes) || !/^\d+$/.test(mtime))
    throw new WireInstallError({
      what: `${host}: could not read the size and checksum of ${path}`,
      host,
      evidence: stdout.trim() ? stdout.trim().split('\n').slice(-5) : ['(no output)'],
    });
  if (now !== recorded)
    throw new WireInstallError({
      what: `${host}: ${path} changed since it was taken (sha256 ${now}, recorded ${recorded})`,
      host,
      next: `look at what changed the file; to take the backup again, move ${path} and ${path}.sha256 away and run again`,
    });
  return { bytes: Number(bytes), sha256: now, when: new Date(Number(mtime) * 1000).toISOString() };
}

async function exists(context: OperationContext, path: string): Promise<boolean> {
  const file = shellQuote(path);
  const result = await runOrFail(
    context.host,
    `looking for ${path}`,
    `if [ -f ${file} ] && [ -f ${file}.sha256 ]; then echo yes; fi`,
  );
  return result.stdout.trim() === 'yes';
}

async function recorded(spec: BackupFileSpec, host: string): Promise<boolean> {
  const manifest = await readBackupManifest(spec.manifest);
  return Boolean(
    manifest?.backups.some(
      (entry) => entry.what === spec.what && entry.host === host && entry.path === spec.path,
    ),
  );
}

export function backupFileOperation(spec: BackupFileSpec): Operation {
  return {
    kind: 'backup',
    target: spec.path,
    inputs: { what: spec.what, path: spec.path, ...spec.inputs },
    async check(context) {
      if (!(await exists(context, spec.path)))
        return { changes: [`write ${spec.path} (${spec.description})`], notes: [] };
      if (!(await recorded(spec, context.host.name)))
        return { changes: [`record ${spec.path} in ${spec.manifest}`], notes: [] };
      return { changes: [], notes: [`${spec.path} was taken before: kept`] };
    },
    async apply(context) {
      const changes: string[] = [];
      const notes: string[] = [];
      const taken = await exists(context, spec.path);
      if (!taken)
        await runOrFail(
          context.host,
          `writing ${spec.description}`,
          `bash -c ${shellQuote(backupScript(spec))}`,
          spec.next ? { next: spec.next } : {},
        );
      const report = parseBackupReport(
        context.host.name,
        spec.path,
        (await runOrFail(context.host, `reading the checksum of ${spec.path}`, reportCommand(spec.path)))
          .stdout,
      );
      const entry: BackupEntry = { what: spec.what, host: context.host.name, path: spec.path, ...report };
      const changed = await recordBackup(spec.manifest, spec.target, entry);
      if (!taken)
        changes.push(
          `wrote ${spec.path} (${spec.description}, ${report.bytes} bytes, sha256 ${report.sha256})`,
        );
      else {
        notes.push(`${spec.path} was taken before (${report.when}): kept`);
        if (changed) changes.push(`record ${spec.path} in ${spec.manifest}`);
      }
      return { changes, notes };
    },
  };
}
