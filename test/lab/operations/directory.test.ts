import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryOperation } from '../../../src/operations/directory.js';
import { wireInstallFailure } from '../../support/failure.js';
import { connectOpsLab, type OpsLab } from './lab-context.js';

/** The directory operation on a lab host: create with mode and owner, current after, fixes drift. */

const root = '/var/tmp/wil-ops-test-dir';
const path = `${root}/a/b`;
const operation = directoryOperation({ path, mode: 0o750, owner: 'nobody', group: 'nogroup' });
let lab: OpsLab;

beforeAll(async () => {
  lab = await connectOpsLab();
  await lab.sh(`rm -rf ${root}`);
});
afterAll(async () => {
  await lab.sh(`rm -rf ${root}`);
  lab.host.close();
});

describe('directory operation', () => {
  it('creates a missing directory, parents included, with its mode and owner', async () => {
    const context = lab.context();
    expect(await operation.check(context)).toEqual({
      changes: [`create ${path} (directory, mode 750, owner nobody, group nogroup)`],
      notes: [],
    });
    expect(context.changedPaths.has(path)).toBe(true);
    expect(await lab.sh(`test -d ${path} || echo missing`)).toBe('missing\n'); // check changed nothing

    const applied = lab.context();
    expect((await operation.apply(applied)).changes).toHaveLength(1);
    expect(applied.changedPaths.has(path)).toBe(true);
    expect(await lab.sh(`stat -c '%F %a %U %G' ${path}`)).toBe('directory 750 nobody nogroup\n');
  });

  it('has nothing to do the second time', async () => {
    const context = lab.context();
    expect(await operation.check(context)).toEqual({ changes: [], notes: [] });
    expect(await operation.apply(context)).toEqual({ changes: [], notes: [] });
    expect(context.changedPaths.size).toBe(0);
  });

  it('puts back a changed mode (setgid included) and owner', async () => {
    await lab.sh(`chmod 2777 ${path} && chown root:root ${path}`);
    const expected = [`update ${path} (mode 2777 -> 750, owner root -> nobody, group root -> nogroup)`];
    expect((await operation.check(lab.context())).changes).toEqual(expected);
    expect((await operation.apply(lab.context())).changes).toEqual(expected);
    expect(await lab.sh(`stat -c '%a %U %G' ${path}`)).toBe('750 nobody nogroup\n');
    expect((await operation.check(lab.context())).changes).toEqual([]);
  });

  it('refuses to replace a file where the directory should be', async () => {
    await lab.sh(`touch ${root}/file`);
    const error = await wireInstallFailure(
      directoryOperation({ path: `${root}/file`, mode: 0o755 }).apply(lab.context()),
    );
    expect(error.what).toContain(`${root}/file should be a directory but is a regular empty file`);
    expect(await lab.sh(`stat -c %F ${root}/file`)).toBe('regular empty file\n');
  });
});
