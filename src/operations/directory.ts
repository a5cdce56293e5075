import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * A directory with its mode and owner. `stat` tells what differs, and apply runs `mkdir -p`,
 * `chmod` and `chown` only when something does; each is idempotent, so a run interrupted halfway
 * is finished by the next one. A path that exists as something else than a directory is a
 * failure, never replaced: what is there may be data.
 */
export interface DirectorySpec {
  path: string;
  /** e.g. 0o755; 0o2775 for setgid (stat prints it the same way). */
  mode: number;
  owner?: string;
  group?: string;
}

const octal = (mode: number) => mode.toString(8).padStart(3, '0');

async function inspect(context: OperationContext, spec: DirectorySpec): Promise<string | undefined> {
  const path = shellQuote(spec.path);
  const result = await runOrFail(
    context.host,
    `inspecting ${spec.path}`,
    `if [ -e ${path} ] || [ -L ${path} ]; then stat -c '%F|%a|%U|%G' ${path}; fi`,
  );
  const line = result.stdout.trim();
  if (!line) return 'create';
  const [type, mode, owner, group] = line.split('|');
  if (type !== 'directory')
    throw new WireInstallError({
      what: `${context.host.name}: ${spec.path} should be a directory but is a ${type}`,
      host: context.host.name,
      next: `look at what ${spec.path} holds and move it away, then run again`,
    });
  const differences: string[] = [];
  if (mode !== octal(spec.mode)) differences.push(`mode ${mode} -> ${octal(spec.mode)}`);
  if (spec.owner && owner !== spec.owner) differences.push(`owner ${owner} -> ${spec.owner}`);
  if (spec.group && group !== spec.group) differences.push(`group ${group} -> ${spec.group}`);
  return differences.length > 0 ? `update ${spec.path} (${differences.join(', ')})` : undefined;
}

export function directoryOperation(spec: DirectorySpec): Operation {
  const created = () =>
    `create ${spec.path} (directory, mode ${octal(spec.mode)}${spec.owner ? `, owner ${spec.owner}` : ''}${spec.group ? `, group ${spec.group}` : ''})`;
  const check = async (context: OperationContext): Promise<OperationOutcome> => {
    const change = await inspect(context, spec);
    if (!change) return { changes: [], notes: [] };
    context.changedPaths.add(spec.path);
    return { changes: [change === 'create' ? created() : change], notes: [] };
  };
  return {
    kind: 'directory',
    target: spec.path,
    inputs: { path: spec.path, mode: octal(spec.mode), owner: spec.owner, group: spec.group },
    check,
    async apply(context) {
      const outcome = await check(context);
      if (outcome.changes.length === 0) return outcome;
      const path = shellQuote(spec.path);
      const owner = spec.owner ? `${spec.owner}${spec.group ? `:${spec.group}` : ''}` : undefined;
      const commands = [
        `mkdir -p ${path}`,
        // Five digits: GNU chmod keeps a directory's setgid bit on `chmod 755`, but not on `00755`.
        `chmod ${spec.mode.toString(8).padStart(5, '0')} ${path}`,
        ...(owner ? [`chown ${shellQuote(owner)} ${path}`] : []),
        ...(!owner && spec.group ? [`chgrp ${shellQuote(spec.group)} ${path}`] : []),
      ];
      await runOrFail(context.host, `creating directory ${spec.path}`, commands.join(' && '));
      return outcome;
    },
  };
}
