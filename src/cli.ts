import { Command, CommanderError } from 'commander';
import type { EngineStagesFactory } from './apply/types.js';
import { commandRegistry } from './commands/registry.js';
import type { CliContext } from './commands/types.js';
import { ExitCode } from './core/errors.js';
import { createInterrupt, type Interrupt } from './core/interrupt.js';
import { createOutput, type Output } from './core/output.js';
import { packageFileText } from './core/package-files.js';
import { reportError } from './core/report-error.js';

const GLOBAL_HELP = `
Global options go before or after the command: --json, --no-color (or NO_COLOR=1), --verbose.

Exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 problems found (doctor), 130 interrupted.

Start here:
  wire-install init                         # the wizard: writes inventory.yaml and secrets.yaml
  wire-install apply --plan --offline -i inventory.yaml   # the staged plan; contacts no host
  wire-install doctor -i inventory.yaml     # connects: checks the hosts before (and after) apply
  wire-install <command> --help             # flags and examples of one command`;

/** From package.json: the package's file, or the single executable's copy (src/core/package-files.ts). */
function packageVersion(): string {
  return (JSON.parse(packageFileText('package.json')) as { version: string }).version;
}

/** The command the user asked for: the first argument that is not an option (or `help NAME`). */
function requestedCommand(argv: string[]): string | undefined {
  const positional = argv.filter((arg) => !arg.startsWith('-'));
  return positional[0] === 'help' ? positional[1] : positional[0];
}

export interface MainOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  interactive?: boolean;
  /** Ctrl-C and SIGTERM (src/core/interrupt.ts); runProcess passes the process's. */
  interrupt?: Interrupt;
  /** Without `interrupt`: aborted like its first signal (tests). */
  signal?: AbortSignal;
  /** See ApplyContext.engineStages (src/apply/types.ts): the lab play's stages instead of Wire's. */
  engineStages?: EngineStagesFactory;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const rawGlobals = {
    json: argv.includes('--json'),
    verbose: argv.includes('--verbose') || argv.includes('-v'),
    color: !argv.includes('--no-color'),
  };
  const output: Output = createOutput({ ...rawGlobals, env, stdout, stderr });
  let exitCode: number = ExitCode.ok;
  // What a second Ctrl-C says when the command has nothing more to say (apply says more).
  options.interrupt?.onStopAtOnce(() => {
    const text = 'stopped at once (second interrupt): the work in progress was cut off';
    if (output.json) output.data({ type: 'stopped', message: text });
    else output.errorLine(text);
  });

  const program = new Command('wire-install')
    .description('Install and operate a self-hosted Wire backend (wire-server) on your own hosts.')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'print machine-readable JSON lines instead of text')
    .option('--no-color', 'no colours (also honoured: NO_COLOR=1)')
    .option('-v, --verbose', 'show diagnostic detail')
    .addHelpText('after', GLOBAL_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      outputError: (text, write) => write(output.color.red(text)),
    });

  const wanted = requestedCommand(argv);
  // --version says more than commander's bare version: the runtime and the Wire releases known.
  if (wanted === undefined && (argv.includes('--version') || argv.includes('-V'))) {
    const { printVersion } = await import('./version-info.js');
    printVersion(packageVersion(), output);
    return ExitCode.ok;
  }
  for (const entry of commandRegistry) {
    const command = program.command(entry.name).description(entry.summary);
    if (entry.name !== wanted) continue;
    const module = await entry.load();
    module.configure(command);
    // commander passes the declared arguments first, then the options, then the command itself.
    command.action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command;
      const context: CliContext = {
        output,
        cwd: options.cwd ?? process.cwd(),
        env,
        interactive: options.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY),
        signal: options.interrupt?.signal ?? options.signal ?? new AbortController().signal,
        ...(options.interrupt ? { onStopAtOnce: options.interrupt.onStopAtOnce } : {}),
        ...(options.engineStages ? { engineStages: options.engineStages } : {}),
      };
      exitCode = await module.run(self.optsWithGlobals(), context, self.args);
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; every other commander error is bad usage.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    return reportError(error, output);
  }
}

/**
 * The process around main(): what bin/wire-install (and the lab play's runner) run. Ctrl-C and
 * SIGTERM go through one path (src/core/interrupt.ts): the first aborts the commands' signal
 * (they stop starting work, record what was in flight and exit 130); the second stops at
 * once, after the command has said what it leaves behind. A closed stdout pipe (`| head`) is
 * not an error.
 */
export async function runProcess(options: Omit<MainOptions, 'signal' | 'interrupt'> = {}): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const interrupt = createInterrupt();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.receive(signal) === 'abort') return;
    // A third signal while the second's recording runs: no more waiting.
    if (stopping) process.exit(ExitCode.interrupted);
    stopping = true;
    void interrupt.stopAtOnce().finally(() => process.exit(ExitCode.interrupted));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), { ...options, interrupt });
  process.exitCode = code;
  // After an interrupt the command has recorded its work and released the lock; what can still
  // hold the process is an SSH connection attempt it abandoned (it has no way to be cancelled),
  // which would otherwise keep it alive until its timeout. (stdout and stderr are written
  // synchronously to terminals, files and pipes on Linux: nothing printed is lost.)
  if (interrupt.signal.aborted) process.exit(code);
}
