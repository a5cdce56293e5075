import type { Command } from 'commander';
import { inputError } from '../core/errors.js';
import type { CliContext } from './types.js';

/** `wire-install completion bash|zsh`: the shell completion script, generated from the command registry. */
export function configure(command: Command): void {
  command.argument('<shell>', 'bash or zsh').addHelpText(
    'after',
    `
Prints a completion script: commands, every command's flags, the stage and step names of
--only, --from and --force (apply and upgrade), doctor's groups, and file names where a flag
takes a file. Comma-separated lists complete after the last comma.

Examples:
  source <(wire-install completion bash)                      # this shell
  wire-install completion bash > /etc/bash_completion.d/wire-install
  echo 'source <(wire-install completion zsh)' >> ~/.zshrc    # zsh, after compinit`,
  );
}

export async function run(
  _options: Record<string, unknown>,
  context: CliContext,
  args: string[],
): Promise<number> {
  const shell = args[0];
  if (shell !== 'bash' && shell !== 'zsh')
    throw inputError({
      what: `wire-install completion knows bash and zsh, not ${JSON.stringify(shell ?? '')}`,
      next: 'run `wire-install completion bash` or `wire-install completion zsh`',
    });
  const { completionSpec } = await import('./completion/spec.js');
  const { bashScript, zshScript } = await import('./completion/scripts.js');
  const commands = await completionSpec();
  const script = (shell === 'bash' ? bashScript : zshScript)(commands);
  if (context.output.json) context.output.data({ type: 'completion', shell, script });
  else context.output.line(script.trimEnd());
  return 0;
}
