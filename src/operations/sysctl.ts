import { shellQuote } from '../hosts/become.js';
import { applyFile, checkFile, type FileSpec } from './file.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * Kernel settings, persisted in /etc/sysctl.d/<file> (read at boot) and applied now with
 * `sysctl -w` where they differ. In a container /proc/sys is read-only: that is not a failure, the
 * file is still written and a note says which settings wait for the next boot. The note repeats
 * each run while the values differ, but only a rewritten file or a written value is a change, so
 * a second run is current.
 */
export interface SysctlSpec {
  /** e.g. "60-wire.conf". */
  file: string;
  /** e.g. { 'net.ipv4.ip_forward': '1' }. */
  settings: Record<string, string>;
}

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
/** sysctl prints multi-value settings (ip_local_port_range) with tabs: compare words. */
const normalize = (value: string) => value.trim().split(/\s+/).join(' ');

export function sysctlOperation(spec: SysctlSpec): Operation {
  if (!/^[A-Za-z0-9_.-]+\.conf$/.test(spec.file)) throw new Error(`bad sysctl file name: ${spec.file}`);
  const entries = Object.entries(spec.settings);
  if (entries.length === 0) throw new Error(`${spec.file}: no sysctl settings`);
  for (const [key, value] of entries)
    if (!KEY.test(key) || /[\n\r]/.test(value)) throw new Error(`bad sysctl setting: ${key}=${value}`);
  const file: FileSpec = {
    path: `/etc/sysctl.d/${spec.file}`,
    content: `# Written by wire-install: changes here are overwritten.\n${entries.map(([key, value]) => `${key} = ${value}`).join('\n')}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
  };

  const run = async (context: OperationContext, write: boolean): Promise<OperationOutcome> => {
    const { host } = context;
    const change = await (write ? applyFile : checkFile)(host, file);
    const changes =
      change.action === 'none' ? [] : [`${change.action} ${file.path} (${change.differences.join(', ')})`];
    if (change.action !== 'none') context.changedPaths.add(file.path);
    const keys = entries.map(([key]) => shellQuote(key)).join(' ');
    const now = (await runOrFail(host, 'reading sysctl settings', `sysctl -n -- ${keys}`)).stdout.split('\n');
    const differing = entries
      .map(([key, value], index) => ({ key, value, current: normalize(now[index] ?? '') }))
      .filter(({ value, current }) => current !== normalize(value));
    if (differing.length === 0) return { changes, notes: [] };
    if (!context.facts.procSysWritable) {
      const settings = differing.map(({ key, value }) => `${key}=${value}`).join(', ');
      return {
        changes,
        notes: [
          `/proc/sys is read-only on ${host.name} (a container?): ${settings} persisted in ${file.path}, applied at next boot`,
        ],
      };
    }
    for (const { key, value, current } of differing) {
      if (write) await runOrFail(host, `setting ${key}`, `sysctl -w ${shellQuote(`${key}=${value}`)}`);
      changes.push(`set ${key} ${current} -> ${normalize(value)}`);
    }
    return { changes, notes: [] };
  };

  return {
    kind: 'sysctl',
    target: file.path,
    inputs: { file: spec.file, settings: spec.settings },
    check: (context) => run(context, false),
    apply: (context) => run(context, true),
  };
}
