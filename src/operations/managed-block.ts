import { readHostFile } from '../hosts/read-file.js';
import { applyFile, checkFile } from './file.js';
import type { Operation, OperationContext } from './types.js';

/**
 * A block of lines wire-install owns inside a file it does not (/etc/hosts): between
 * `# BEGIN wire-install <name>` and `# END wire-install <name>`, replaced whole; everything
 * outside the markers is kept as it is. The new file is written like any file (temp + rename).
 */
export interface ManagedBlockSpec {
  path: string;
  /** Names the block, so several can live in one file. */
  name: string;
  lines: readonly string[];
  mode: number;
}

export function withBlock(current: string, name: string, lines: readonly string[]): string {
  const begin = `# BEGIN wire-install ${name}`;
  const end = `# END wire-install ${name}`;
  const block = [begin, ...lines, end].join('\n');
  const all = current.split('\n');
  const from = all.indexOf(begin);
  const to = all.indexOf(end, from);
  if (from >= 0 && to > from) return [...all.slice(0, from), block, ...all.slice(to + 1)].join('\n');
  const base = current === '' || current.endsWith('\n') ? current : `${current}\n`;
  return `${base}${block}\n`;
}

export function managedBlockOperation(spec: ManagedBlockSpec): Operation {
  const target = async (context: OperationContext) => {
    const current = (await readHostFile(context.host, spec.path)) ?? '';
    return { path: spec.path, content: withBlock(current, spec.name, spec.lines), mode: spec.mode };
  };
  const describe = (action: string) =>
    action === 'none' ? [] : [`update the ${spec.name} block in ${spec.path}`];
  return {
    kind: 'managed-block',
    target: `${spec.path} (${spec.name})`,
    inputs: { path: spec.path, name: spec.name, lines: spec.lines, mode: spec.mode.toString(8) },
    async check(context) {
      const change = await checkFile(context.host, await target(context));
      return { changes: describe(change.action), notes: [] };
    },
    async apply(context) {
      const change = await applyFile(context.host, await target(context));
      if (change.action !== 'none') context.changedPaths.add(spec.path);
      return { changes: describe(change.action), notes: [] };
    },
  };
}
