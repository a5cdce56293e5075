import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandRegistry } from '../../src/commands/registry.js';
import { runCli } from './run-cli.js';

/** Keyed to the registry, so a new command is covered as soon as it is registered. */
describe('the wire-install command line', () => {
  it('lists every registered command in --help, with the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    for (const entry of commandRegistry) expect(result.stdout).toContain(entry.name);
    expect(result.stdout).toContain('Exit codes: 0 ok, 1 failed, 2 bad usage or input');
  });

  it.each(commandRegistry.map((entry) => entry.name))('`%s --help` teaches with examples', async (name) => {
    const result = await runCli([name, '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Usage: wire-install ${name}`);
    expect(result.stdout).toMatch(/Examples?:/);
    expect(result.stderr).toBe('');
  });

  it('prints its version, the Node.js it runs on and the Wire releases it knows upgrade notes for', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`wire-install ${version}`);
    expect(lines[1]).toMatch(/^Node\.js v\d+\.\d+\.\d+ \(linux-(x64|arm64)\)$/);
    expect(lines[2]).toBe(
      'Wire upgrade notes: 5.8 to 5.30; upgrades to Wire 5.32 at most (a newer target is refused)',
    );
    const json = await runCli(['--version', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: 'version',
      wireInstall: version,
      node: expect.stringMatching(/^v\d+/),
      upgradeNotes: { from: '5.8', to: '5.30', newestKnown: '5.32' },
    });
    expect((await runCli(['-V'])).stdout).toBe(result.stdout);
  });

  it('exits 2 on an unknown command or option, without a stack trace', async () => {
    const unknownCommand = await runCli(['instal']);
    expect(unknownCommand.exitCode).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'instal'");
    const unknownOption = await runCli(['apply', '--plna']);
    expect(unknownOption.exitCode).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--plna'");
    for (const result of [unknownCommand, unknownOption]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('apply on a Wire inventory refuses the steps without operations yet, contacting nothing', async () => {
    // The example inventory's addresses are never connected to: the refusal comes first.
    const result = await runCli(['apply', '--inventory', 'inventory.example.yaml']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/\d+ of the selected steps cannot run/);
    expect(result.stderr).toMatch(/workloads\.wire-server: needs \S+secrets\.yaml, which does not exist/);
    expect(result.stderr).toMatch(
      /databases\.postgresql-primary: needs \S+secrets\.yaml, which does not exist/,
    );
    // Every host-side step is built: none is refused as not built.
    expect(result.stderr).not.toContain('(issue 4)');
    expect(result.stderr).not.toContain('bootstrap-host.hostname:');
    expect(result.stderr).toMatch(
      /next: run the steps that can run with --only, e.g. --only preflight\.[a-z.,-]+;/,
    );
  });

  it('refuses a --concurrency that is not a whole number from 1 to 500 (exit 2)', async () => {
    const result = await runCli(['apply', '--concurrency', '0', '--inventory', 'inventory.example.yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--concurrency 0: must be a whole number from 1 to 500');
  });

  it('refuses --check-drift with --offline, which contacts no host (exit 2, nothing read)', async () => {
    const result = await runCli([
      'apply',
      '--plan',
      '--offline',
      '--check-drift',
      '-i',
      'inventory.example.yaml',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--check-drift reads the hosts, and --offline contacts none');
  });

  it('status without any apply says there are no checkpoints (exit 2)', async () => {
    const result = await runCli(['status', '--inventory', 'inventory.example.yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('apply has not run for this inventory');
  });

  it('`upgrade` without --bundle is bad input naming the flag, exit 2 (the plan itself: upgrade-plan.test.ts)', async () => {
    const result = await runCli(['upgrade']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--bundle DIR is missing');
    const json = await runCli(['upgrade', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 2 });
  });
});
