import { shellQuote } from '../hosts/become.js';
import { CommandFailedError } from './run.js';
import type { Operation, OperationContext } from './types.js';

/**
 * A kernel module loaded now (modprobe) and at every boot (the modules-load.d file is a file
 * operation of the same step). A module that is built in or loaded shows in /sys/module. Where
 * modules cannot be loaded (a container shares its host's kernel), that is a note, not a
 * failure: the host's kernel must provide it.
 */
const unloadable = (name: string) =>
  `kernel module ${name} is not loaded and cannot be loaded here (a container shares its host's kernel): the host's kernel must provide it`;

export function kernelModuleOperation(name: string): Operation {
  const loaded = async (context: OperationContext) =>
    (await context.host.exec(`test -d /sys/module/${shellQuote(name)}`)).exitCode === 0;
  return {
    kind: 'kernel-module',
    target: name,
    inputs: { name },
    async check(context) {
      if (await loaded(context)) return { changes: [], notes: [] };
      if (!context.facts.procSysWritable) return { changes: [], notes: [unloadable(name)] };
      return { changes: [`load kernel module ${name}`], notes: [] };
    },
    async apply(context) {
      if (await loaded(context)) return { changes: [], notes: [] };
      if (!context.facts.procSysWritable) return { changes: [], notes: [unloadable(name)] };
      const result = await context.host.exec(`modprobe -- ${shellQuote(name)}`);
      if (result.exitCode === 0) return { changes: [`load kernel module ${name}`], notes: [] };
      throw new CommandFailedError(
        context.host.name,
        `loading kernel module ${name}`,
        `modprobe -- ${name}`,
        result,
      );
    },
  };
}
