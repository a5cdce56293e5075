import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import { commandOperation } from '../../../src/operations/command.js';
import { CommandFailedError } from '../../../src/operations/run.js';
import { wireInstallFailure } from '../../support/failure.js';
import { fakeContext, fakeHost } from './fake-host.js';

describe('commandOperation', () => {
  it('refuses a command without a guard: it would run on every apply', () => {
    expect(() => commandOperation({ name: 'init', command: 'true' })).toThrow(/needs "creates" or "unless"/);
  });

  it('refuses an empty command', () => {
    expect(() => commandOperation({ name: 'init', command: ' ', creates: '/x' })).toThrow(/empty/);
  });

  it('fingerprints the command and its probe by checksum only', () => {
    const operation = commandOperation({
      name: 'init',
      command: 'init-db --password s3cret',
      unless: 'check-db --password s3cret',
    });
    expect(JSON.stringify(operation.inputs)).not.toContain('s3cret');
    const other = commandOperation({ name: 'init', command: 'init-db --password other', unless: 'x' });
    expect(other.inputs).not.toEqual(operation.inputs);
  });

  it('does not run the probe when the created path exists', async () => {
    const host = fakeHost([[/^if \[ -e '\/done' \]/, { stdout: 'yes\n' }]]);
    const operation = commandOperation({
      name: 'init',
      command: 'touch /done',
      creates: '/done',
      unless: 'false',
    });
    expect(await operation.check(fakeContext(host))).toEqual({ changes: [], notes: [] });
    expect(host.commands).toHaveLength(1);
  });
});

/**
 * apply's one round trip (guard, command, guard again), run by this machine's sh through the
 * admin host, in a folder of its own: what ran is seen in the files the commands leave.
 */
describe('commandOperation apply, in one command', () => {
  const host = localHost();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wil-command-'));
  });
  const ran = (name: string) => existsSync(join(dir, name));

  it('runs nothing, not even the probe, when the created path exists', async () => {
    writeFileSync(join(dir, 'done'), '');
    const operation = commandOperation({
      name: 'init',
      command: `touch ${dir}/command-ran`,
      creates: `${dir}/done`,
      unless: `touch ${dir}/probe-ran; false`,
    });
    const host_ = recording(host);
    expect(await operation.apply(fakeContext(host_))).toEqual({ changes: [], notes: [] });
    expect(host_.commands).toHaveLength(1);
    expect([ran('command-ran'), ran('probe-ran')]).toEqual([false, false]);
  });

  it('runs the command when the guard says so, and is done when the guard then agrees', async () => {
    const operation = commandOperation({
      name: 'init',
      command: `echo said; touch ${dir}/done`,
      creates: `${dir}/done`,
    });
    const context = fakeContext(host);
    expect(await operation.apply(context)).toEqual({ changes: ['run init'], notes: [] });
    expect(context.changedPaths.has(`${dir}/done`)).toBe(true);
    expect(await operation.apply(fakeContext(host))).toEqual({ changes: [], notes: [] });
  });

  it('skips the command when the unless probe succeeds', async () => {
    const operation = commandOperation({
      name: 'mark',
      command: `touch ${dir}/command-ran`,
      unless: `echo probing; test -e ${dir}/ok`,
    });
    writeFileSync(join(dir, 'ok'), '');
    expect(await operation.apply(fakeContext(host))).toEqual({ changes: [], notes: [] });
    expect(ran('command-ran')).toBe(false);
  });

  it('fails with the command, its exit code and its own output', async () => {
    const operation = commandOperation({
      name: 'broken',
      command: 'echo "about to fail"; echo "the reason" >&2; exit 3',
      creates: `${dir}/never`,
    });
    const error = await wireInstallFailure(operation.apply(fakeContext(host)));
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error.what).toBe('admin host: running broken failed (exit code 3)');
    expect(error.evidence).toEqual([
      `command: sh -c 'echo "about to fail"; echo "the reason" >&2; exit 3'`,
      '| about to fail',
      '| the reason',
    ]);
  });

  it('fails when the command succeeded but its guard still says it should run', async () => {
    const operation = commandOperation({ name: 'forgetful', command: 'echo done >&2', unless: 'false' });
    const error = await wireInstallFailure(operation.apply(fakeContext(host)));
    expect(error.what).toBe(
      'admin host: forgetful ran, but its guard still says it has not (its "unless" probe still fails)',
    );
  });
});

/** The host, with the commands it was given recorded. */
function recording(host: RemoteHost): RemoteHost & { commands: string[] } {
  const commands: string[] = [];
  return {
    ...host,
    commands,
    exec: (command, options) => {
      commands.push(command);
      return host.exec(command, options);
    },
  };
}
