import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandRegistry } from '../../src/commands/registry.js';
import { DOCTOR_GROUPS } from '../../src/doctor/types.js';
import { allSteps } from '../../src/steps/registry.js';
import { STAGE_IDS } from '../../src/steps/stages.js';
import { runCli } from './run-cli.js';

/**
 * `wire-install completion bash|zsh` through the built CLI, and the script it prints run by the
 * REAL bash (and loaded by the real zsh): what a user gets at TAB for commands, flags, step
 * names (also after a comma) and doctor's groups.
 */
let dir: string;
let bashScript: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wire-completion-'));
  const result = await runCli(['completion', 'bash']);
  expect(result.exitCode, result.stderr).toBe(0);
  bashScript = join(dir, 'wire-install.bash');
  writeFileSync(bashScript, result.stdout);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the words typed so far (the last one is being completed). */
async function complete(...typed: string[]): Promise<string[]> {
  const words = ['wire-install', ...typed].map((word) => `'${word}'`).join(' ');
  const { stdout } = await execa('bash', [
    '-c',
    `source '${bashScript}'; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _wire_install; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return stdout.split('\n').filter((line) => line !== '');
}

describe('wire-install completion', () => {
  it('bash: every command, and each command by its first letters', async () => {
    expect(await complete('')).toEqual(expect.arrayContaining(commandRegistry.map((entry) => entry.name)));
    expect(await complete('ap')).toEqual(['apply']);
    expect(await complete('--json', 'do')).toEqual(['doctor']);
  });

  it("bash: a command's own flags, read from the command itself", async () => {
    expect(await complete('apply', '--pl')).toEqual(['--plan']);
    expect(await complete('upgrade', '--confirm')).toEqual(['--confirm-actions']);
    expect(await complete('init', '--cert')).toEqual(
      expect.arrayContaining(['--certificates', '--cert-chain', '--cert-key', '--cert-email']),
    );
  });

  it('bash: every stage and step id after --only, --from and --force, also after a comma', async () => {
    const ids = [...new Set([...STAGE_IDS, ...allSteps.map((step) => step.id)])];
    expect((await complete('apply', '--only', '')).sort()).toEqual(ids.sort());
    expect(await complete('apply', '--from', 'verify.no')).toEqual(['verify.nodes']);
    expect(await complete('apply', '--only', 'preflight,workloads.wire-')).toEqual([
      'preflight,workloads.wire-server',
    ]);
    expect(await complete('upgrade', '--force', 'upgrade.backup-p')).toEqual(['upgrade.backup-postgresql']);
    expect((await complete('doctor', '--only', 'local,')).sort()).toEqual(
      DOCTOR_GROUPS.map((group) => `local,${group}`).sort(),
    );
  });

  it('bash: values of init, and the shells of completion', async () => {
    expect(await complete('init', '--mode', 'pr')).toEqual(['production']);
    expect(await complete('completion', '')).toEqual(expect.arrayContaining(['bash', 'zsh']));
  });

  it("zsh: the script loads and registers wire-install's completion", async () => {
    const result = await runCli(['completion', 'zsh']);
    expect(result.exitCode).toBe(0);
    const script = join(dir, 'wire-install.zsh');
    writeFileSync(script, result.stdout);
    const { stdout } = await execa('zsh', [
      '-c',
      `autoload -U compinit && compinit -u -d '${join(dir, 'zcompdump')}'; source '${script}'; print -r -- "\${_comps[wire-install]}"`,
    ]);
    expect(stdout).toBe('_bash_complete -o default -F _wire_install');
  });

  it('an unknown shell is bad usage (exit 2), naming the shells it knows', async () => {
    const result = await runCli(['completion', 'fish']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('knows bash and zsh');
  });
});
