import { parseFacts } from '../../../src/hosts/facts.js';
import type { ExecResult, RemoteHost } from '../../../src/hosts/types.js';
import type { OperationContext } from '../../../src/operations/types.js';

/** A host that answers commands by pattern and records them; an unexpected command fails the test. */
export interface FakeHost extends RemoteHost {
  commands: string[];
}

export type Answer = Partial<ExecResult>;

export function fakeHost(rules: [RegExp, Answer][]): FakeHost {
  const commands: string[] = [];
  return {
    name: 'fake',
    commands,
    async exec(command) {
      commands.push(command);
      const rule = rules.find(([pattern]) => pattern.test(command));
      if (!rule) throw new Error(`unexpected command: ${command}`);
      return { stdout: '', stderr: '', exitCode: 0, ...rule[1] };
    },
    close() {},
  };
}

export function fakeContext(host: RemoteHost, procSysWritable = true): OperationContext {
  return {
    host,
    facts: parseFacts(`proc_sys_writable=${procSysWritable ? 'yes' : 'no'}\n`),
    changedPaths: new Set(),
  };
}
