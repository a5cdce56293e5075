import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOperation } from '../../../src/operations/command.js';
import { CommandFailedError } from '../../../src/operations/run.js';
import { wireInstallFailure } from '../../support/failure.js';
import { connectOpsLab, type OpsLab, opsHost } from './lab-context.js';

/** Guarded commands on the fifth lab host: they run once, and a failing one says why. */

const dir = '/var/tmp/wil-ops-test-cmd';
let lab: OpsLab;

beforeAll(async () => {
  lab = await connectOpsLab();
  await lab.sh(`rm -rf ${dir} && mkdir -p ${dir}`);
});
afterAll(async () => {
  await lab.sh(`rm -rf ${dir}`);
  lab.host.close();
});

describe('command operation', () => {
  it('runs once when guarded by creates', async () => {
    const operation = commandOperation({
      name: 'initialise',
      command: `echo ran >> ${dir}/count && touch ${dir}/done`,
      creates: `${dir}/done`,
    });
    const context = lab.context();
    expect(await operation.check(context)).toEqual({ changes: ['run initialise'], notes: [] });
    expect(context.changedPaths.has(`${dir}/done`)).toBe(true);
    expect(await lab.sh(`ls ${dir}`)).toBe(''); // check ran nothing
    expect((await operation.apply(lab.context())).changes).toEqual(['run initialise']);
    expect(await operation.check(lab.context())).toEqual({ changes: [], notes: [] });
    expect(await operation.apply(lab.context())).toEqual({ changes: [], notes: [] });
    expect(await lab.sh(`cat ${dir}/count`)).toBe('ran\n');
  });

  it('runs once when guarded by unless, and again when the probe fails', async () => {
    const operation = commandOperation({
      name: 'mark',
      command: `echo ok > ${dir}/mark && echo ran >> ${dir}/mark-count`,
      unless: `grep -qx ok ${dir}/mark`,
    });
    expect((await operation.apply(lab.context())).changes).toEqual(['run mark']);
    expect((await operation.apply(lab.context())).changes).toEqual([]);
    await lab.sh(`echo broken > ${dir}/mark`);
    expect((await operation.check(lab.context())).changes).toEqual(['run mark']);
    expect((await operation.apply(lab.context())).changes).toEqual(['run mark']);
    expect(await lab.sh(`cat ${dir}/mark-count`)).toBe('ran\nran\n');
  });

  it('fails with the host, the exit code and the output of a failing command', async () => {
    const operation = commandOperation({
      name: 'broken',
      command: 'echo "about to fail"; echo "the reason" >&2; exit 3',
      creates: `${dir}/never`,
    });
    const error = await wireInstallFailure(operation.apply(lab.context()));
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error.what).toBe(`${opsHost?.name}: running broken failed (exit code 3)`);
    expect(error.evidence.slice(1)).toEqual(['| about to fail', '| the reason']);
  });

  it('fails when the command ran but its guard still says it should run', async () => {
    const operation = commandOperation({ name: 'forgetful', command: 'true', creates: `${dir}/never` });
    const error = await wireInstallFailure(operation.apply(lab.context()));
    expect(error.what).toBe(
      `${opsHost?.name}: forgetful ran, but its guard still says it has not (${dir}/never is missing)`,
    );
  });
});
