import { createHash } from 'node:crypto';
import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext } from './types.js';

/**
 * A shell command for what no other operation does (initialise a database, import a key). A
 * command alone is not idempotent, so one needs a guard: `creates`, a path that exists once the
 * command has run, or `unless`, a read-only probe that exits 0 when there is nothing to do. The
 * guard is checked again after the command: one that still says "run" would run it every time.
 */
export interface CommandSpec {
  /** Shown in the plan: "run <name>". */
  name: string;
  command: string;
  creates?: string;
  unless?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function commandOperation(spec: CommandSpec): Operation {
  if (spec.creates === undefined && spec.unless === undefined)
    throw new Error(
      `command ${spec.name}: needs "creates" or "unless", else it would run on every apply (not idempotent)`,
    );
  if (spec.command.trim() === '') throw new Error(`command ${spec.name}: the command is empty`);

  /** True when the guard says the command has nothing to do. */
  const done = async ({ host }: OperationContext): Promise<boolean> => {
    if (spec.creates !== undefined) {
      const exists = await runOrFail(
        host,
        `looking for ${spec.creates}`,
        `if [ -e ${shellQuote(spec.creates)} ]; then echo yes; fi`,
      );
      if (exists.stdout.trim() === 'yes') return true;
    }
    if (spec.unless !== undefined)
      return (await host.exec(`sh -c ${shellQuote(spec.unless)}`)).exitCode === 0;
    return false;
  };

  return {
    kind: 'command',
    target: spec.name,
    // The command may carry a secret: fingerprinted by checksum only.
    inputs: {
      name: spec.name,
      command: sha256(spec.command),
      creates: spec.creates,
      unless: spec.unless === undefined ? undefined : sha256(spec.unless),
    },
    async check(context) {
      if (await done(context)) return { changes: [], notes: [] };
      if (spec.creates !== undefined) context.changedPaths.add(spec.creates);
      return { changes: [`run ${spec.name}`], notes: [] };
    },
    async apply(context) {
      if (await done(context)) return { changes: [], notes: [] };
      await runOrFail(context.host, `running ${spec.name}`, `sh -c ${shellQuote(spec.command)}`);
      if (spec.creates !== undefined) context.changedPaths.add(spec.creates);
      if (!(await done(context)))
        throw new WireInstallError({
          what: `${context.host.name}: ${spec.name} ran, but its guard still says it has not (${spec.creates ? `${spec.creates} is missing` : 'its "unless" probe still fails'})`,
          host: context.host.name,
          next: 'fix the command or its guard: as it is, every run would run it again',
        });
      return { changes: [`run ${spec.name}`], notes: [] };
    },
  };
}
