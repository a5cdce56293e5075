import { createHash } from 'node:crypto';
import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { CommandFailedError, runOrFail } from './run.js';
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

/** The last stderr line of apply's script when the guard decided: the command's own output is above it. */
const GUARD_MARK = 'wire-install-guard=';

/** A shell test that succeeds when the guard says there is nothing to do (the probe's output discarded). */
function guardTest(spec: CommandSpec): string {
  const tests = [
    ...(spec.creates !== undefined ? [`[ -e ${shellQuote(spec.creates)} ]`] : []),
    ...(spec.unless !== undefined ? [`sh -c ${shellQuote(spec.unless)} >/dev/null 2>&1`] : []),
  ];
  return tests.join(' || ');
}

/**
 * apply in one round trip (it was up to four: the guard's two probes, the command, the guard
 * again): the guard, the command when the guard says so, and the guard again after it. The
 * command's output and exit code are its own; the script adds a last stderr line only when the
 * guard says there was nothing to do (GUARD_MARK done) or that the command, which succeeded, has
 * not done its work (GUARD_MARK still).
 */
function applyScript(spec: CommandSpec): string {
  const guard = guardTest(spec);
  return [
    `if ${guard}; then echo '${GUARD_MARK}done' >&2; exit 0; fi`,
    `sh -c ${shellQuote(spec.command)} || exit`,
    `if ${guard}; then exit 0; fi`,
    `echo '${GUARD_MARK}still' >&2`,
  ].join('\n');
}

/** The guard's verdict from apply's stderr, and stderr without it. */
function guardVerdict(stderr: string): { verdict: 'done' | 'still' | undefined; rest: string } {
  const match = new RegExp(`(^|\\n)${GUARD_MARK}(done|still)\\n$`).exec(stderr);
  if (!match) return { verdict: undefined, rest: stderr };
  return { verdict: match[2] as 'done' | 'still', rest: stderr.slice(0, match.index + (match[1] ? 1 : 0)) };
}

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
      const { host } = context;
      const result = await host.exec(`sh -c ${shellQuote(applyScript(spec))}`);
      const { verdict, rest } = guardVerdict(result.stderr);
      if (verdict === 'done' && result.exitCode === 0) return { changes: [], notes: [] };
      if (result.exitCode !== 0)
        throw new CommandFailedError(host.name, `running ${spec.name}`, `sh -c ${shellQuote(spec.command)}`, {
          ...result,
          stderr: rest,
        });
      if (spec.creates !== undefined) context.changedPaths.add(spec.creates);
      if (verdict === 'still')
        throw new WireInstallError({
          what: `${context.host.name}: ${spec.name} ran, but its guard still says it has not (${spec.creates ? `${spec.creates} is missing` : 'its "unless" probe still fails'})`,
          host: context.host.name,
          next: 'fix the command or its guard: as it is, every run would run it again',
        });
      return { changes: [`run ${spec.name}`], notes: [] };
    },
  };
}
