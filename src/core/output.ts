import { Chalk, type ChalkInstance } from 'chalk';
import { escapeForTerminal } from './shown-value.js';

/**
 * The one port through which commands talk to the terminal. Commands never call
 * console.* themselves, so `--json`, `--no-color` and `--verbose` are honoured in one place
 * and tests can capture everything a command prints.
 */
export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours, already switched off for --no-color, NO_COLOR, --json and non-TTY stdout. */
  readonly color: ChalkInstance;
  /** A line for people (stdout). Suppressed in --json mode. */
  line(text?: string): void;
  /** A warning for people (stderr). In --json mode it becomes a {"type":"warning"} event. */
  warn(text: string): void;
  /** A raw line on stderr for people (errors). Suppressed in --json mode: use data() there. */
  errorLine(text: string): void;
  /** Diagnostic detail, shown only with --verbose (stderr). */
  debug(text: string): void;
  /** A machine-readable record: one JSON object per line on stdout, only in --json mode. */
  data(record: Record<string, unknown>): void;
}

export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export function wantsColor(options: OutputOptions): boolean {
  const env = options.env ?? process.env;
  if (options.json) return false;
  if (options.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean((options.stdout ?? process.stdout).isTTY);
}

export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const json = Boolean(options.json);
  const verbose = Boolean(options.verbose);
  const color = new Chalk({ level: wantsColor(options) ? 1 : 0 });
  return {
    json,
    verbose,
    color,
    // The net under every line for people: text read from a file (state.json, an inventory, a
    // host's answer) never reaches the terminal with its control characters live.
    line(text = '') {
      if (!json) stdout.write(`${escapeForTerminal(text)}\n`);
    },
    warn(text) {
      if (json) stdout.write(`${JSON.stringify({ type: 'warning', message: text })}\n`);
      else stderr.write(`${color.yellow('warning:')} ${escapeForTerminal(text)}\n`);
    },
    errorLine(text) {
      if (!json) stderr.write(`${escapeForTerminal(text)}\n`);
    },
    debug(text) {
      if (verbose) stderr.write(`${color.dim(escapeForTerminal(text))}\n`);
    },
    data(record) {
      if (json) stdout.write(`${JSON.stringify(record)}\n`);
    },
  };
}

/** An Output that records everything, for tests. */
export function createMemoryOutput(options: Omit<OutputOptions, 'stdout' | 'stderr'> = {}): Output & {
  stdoutText(): string;
  stderrText(): string;
} {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (chunks: string[]) =>
    ({
      write(chunk: string) {
        chunks.push(chunk);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const output = createOutput({ ...options, stdout: sink(out), stderr: sink(err) });
  return Object.assign(output, { stdoutText: () => out.join(''), stderrText: () => err.join('') });
}
