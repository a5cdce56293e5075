import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandRegistry } from '../../src/commands/registry.js';
import { FENCE_ENV } from '../../src/hosts/network-fence.js';
import { standInBundle } from '../support/bundle.js';
import { REPO_ROOT, runCli } from './run-cli.js';

/**
 * Every example in every `--help` is run, as written, in a workspace that has what the examples
 * name (inventory.yaml, which is a copy of inventory.example.yaml, its secrets.yaml, the answers
 * file init's help shows, a bundle at ../wire-server-deploy-static-NEW). An example must not
 * be bad usage (exit 2) or an internal error; one that connects to hosts meets the test suite's
 * network fence (vitest.config.ts: the example's 192.168.122.x addresses are never contacted),
 * so the only failure allowed is that refusal. A `| jq ...` tail is checked as JSON lines, a
 * `> FILE` redirection goes to a file in the workspace.
 */

const ANSWERS_EXAMPLE = /^Answers file[^\n]*\n((?: {2}.*\n)+)/m;

interface Example {
  command: string;
  line: string;
}

/** The examples of a help text: lines starting with `wire-install`, continuation lines joined. */
function examplesOf(help: string, command: string): Example[] {
  const joined = help.replace(/\\\n\s*/g, '');
  const section = joined.split(/\n(?:Examples|Start here):\n/)[1] ?? '';
  return section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('wire-install ') && !line.includes('<command>'))
    .map((line) => ({ command, line }));
}

/** Shell words of one example: quotes kept together, the comment, the pipe and the redirection split off. */
function parseExample(line: string): { args: string[]; pipe?: string; redirect?: string } {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let rest = '';
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '#' || char === '|' || char === '>') {
      rest = line.slice(index);
      break;
    } else if (char === ' ') {
      if (current) words.push(current);
      current = '';
    } else current += char;
  }
  if (current) words.push(current);
  const pipe = rest.startsWith('|') ? rest.slice(1).split('#')[0]?.trim() : undefined;
  const redirect = rest.startsWith('>') ? rest.slice(1).split('#')[0]?.trim() : undefined;
  return { args: words.slice(1), pipe, redirect };
}

let root: string;
let answersYaml = '';
let secretsYaml = '';
let bundle: string;
const examples: Example[] = [];

/**
 * A fresh workspace for one example (init's examples write inventory.yaml): the example
 * inventory, its secrets, the answers file, a stand-in bundle where the inventory's bundle.path
 * points, and an installation's records (a failed step, the wire-server release apply
 * installed) for status and upgrade, which presuppose an installation.
 */
let workspaces = 0;
function freshWorkspace(command: string): string {
  workspaces += 1;
  const dir = join(root, `ws-${workspaces}`);
  mkdirSync(join(dir, 'home'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'inventory.example.yaml'), join(dir, 'inventory.example.yaml'));
  // init's examples start where init starts: a folder without an inventory.
  if (command !== 'init')
    copyFileSync(join(REPO_ROOT, 'inventory.example.yaml'), join(dir, 'inventory.yaml'));
  writeFileSync(join(dir, 'secrets.yaml'), secretsYaml, { mode: 0o600 });
  writeFileSync(join(dir, 'answers.yaml'), answersYaml);
  symlinkSync(bundle, join(dir, 'wire-server-deploy-static'));
  mkdirSync(join(dir, '.wire-install', 'releases'), { recursive: true, mode: 0o700 });
  const record = (status: string) => ({
    status,
    fingerprint: 'f',
    finishedAt: new Date().toISOString(),
    runId: 'r1',
  });
  writeFileSync(
    join(dir, '.wire-install', 'state.json'),
    JSON.stringify({
      version: 1,
      steps: {
        'preflight.bundle': { 'admin host': record('succeeded') },
        'preflight.ssh': { kubenode1: { ...record('failed'), error: 'connection refused' } },
      },
    }),
  );
  writeFileSync(
    join(dir, '.wire-install', 'releases', 'wire-server.json'),
    JSON.stringify({
      release: 'wire-server',
      chart: 'wire-server',
      namespace: 'default',
      chartVersion: '5.27.0',
    }),
  );
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wil-help-examples-'));
  bundle = standInBundle();
  // The new bundle upgrade's examples name (a stand-in, wire-server 5.32.0).
  symlinkSync(standInBundle(), join(root, 'wire-server-deploy-static-NEW'));
  const helps = await Promise.all(
    ['', ...commandRegistry.map((command) => command.name)].map(async (command) => {
      const result = await runCli(command ? [command, '--help'] : ['--help']);
      expect(result.exitCode, result.stderr).toBe(0);
      return { command, help: result.stdout };
    }),
  );
  for (const { command, help } of helps) examples.push(...examplesOf(help, command || '(global)'));
  const initHelp = helps.find((entry) => entry.command === 'init')?.help ?? '';
  const answers = ANSWERS_EXAMPLE.exec(initHelp)?.[1];
  if (!answers) throw new Error("init --help has no answers-file example: update this test's pattern");
  answersYaml = answers
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.slice(2))
    .join('\n');
  // The example inventory's secrets, generated by the tool itself.
  const scratch = join(root, 'secrets-maker');
  mkdirSync(scratch);
  writeFileSync(join(scratch, 'answers.yaml'), answersYaml);
  const made = await runCli(['init', '--non-interactive', '--answers', 'answers.yaml'], { cwd: scratch });
  expect(made.exitCode, made.stderr).toBe(0);
  secretsYaml = readFileSync(join(scratch, 'secrets.yaml'), 'utf8');
}, 60_000);

describe('every --help example runs as written', () => {
  it('finds the examples of every command', () => {
    const commands = new Set(examples.map((example) => example.command));
    for (const command of commandRegistry
      .map((entry) => entry.name)
      .filter((name) => name !== 'status' && name !== 'completion'))
      expect(commands, `wire-install ${command} --help has no examples`).toContain(command);
    expect(examples.length).toBeGreaterThan(15);
  });

  it('each example: no usage error, no internal error; a failure only where the test fence refused a host', async () => {
    const failures: string[] = [];
    for (const example of examples) {
      const { args, pipe, redirect } = parseExample(example.line);
      const workspace = freshWorkspace(example.command);
      const result = await runCli(args, {
        cwd: workspace,
        env: { HOME: join(workspace, 'home'), [FENCE_ENV]: '127.0.0.0/8' },
      });
      const text = `${result.stdout}\n${result.stderr}`;
      // The wizard needs a terminal: test/cli/init-tty.test.ts answers it in one (tmux).
      if (args[0] === 'init' && !args.includes('--non-interactive')) {
        expect(result.exitCode, example.line).toBe(2);
        expect(result.stderr, example.line).toContain('this is not a terminal');
        continue;
      }
      // Without --confirm-actions, upgrade asks at a terminal; elsewhere it stops before changing anything.
      if (args[0] === 'upgrade' && !args.includes('--plan') && !args.includes('--confirm-actions')) {
        expect(result.exitCode, example.line).toBe(2);
        expect(result.stderr, example.line).toContain('nothing was changed');
        expect(result.stderr, example.line).toContain('run again with --confirm-actions');
        continue;
      }
      // remove-host and replace-host refuse every host of the example inventory behind the fence:
      // none answers, and its data nodes carry Cassandra on three nodes and MinIO (and the example
      // inventory has no new host to replace them with). A refusal with its reasons.
      if (args[0] === 'remove-host' || args[0] === 'replace-host') {
        expect(result.exitCode, example.line).toBe(2);
        expect(text, example.line).toMatch(/Refused: nothing was changed|"refusals":\["/);
        expect(text, example.line).toContain('not contacted');
        continue;
      }
      const fenced = text.includes('not contacted');
      const problem =
        result.exitCode === 2
          ? 'exit 2 (bad usage or input)'
          : text.includes('internal error')
            ? 'internal error'
            : result.exitCode === 1 && !fenced
              ? 'exit 1 without the fence refusing a host'
              : ![0, 1, 3].includes(result.exitCode)
                ? `exit ${result.exitCode}`
                : undefined;
      if (problem)
        failures.push(`${example.line}\n  ${problem}\n  ${text.trim().split('\n').slice(0, 6).join('\n  ')}`);
      if (pipe && result.exitCode !== 2) {
        for (const line of result.stdout.split('\n').filter(Boolean))
          expect(() => JSON.parse(line), `${example.line}: stdout line is not JSON: ${line}`).not.toThrow();
        const jq = await execa('jq', ['-c', pipe.replace(/^jq\s+/, '').replace(/^'|'$/g, '')], {
          input: result.stdout,
          reject: false,
        });
        if (jq.exitCode !== 0) failures.push(`${example.line}\n  jq failed: ${jq.stderr}`);
      }
      if (redirect) {
        expect(result.exitCode, example.line).toBe(0);
        const file = join(workspace, redirect.replaceAll('/', '_'));
        writeFileSync(file, result.stdout);
        expect(readFileSync(file, 'utf8').length, `${example.line}: empty output`).toBeGreaterThan(100);
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    // About 30 CLI runs one after the other: under a minute alone, longer beside the lab (scripts/test.sh).
  }, 360_000);
});
