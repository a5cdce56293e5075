import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptPackageOperation, aptRepositoryOperation } from '../../../src/operations/apt.js';
import { CommandFailedError } from '../../../src/operations/run.js';
import { connectOpsLab, type OpsLab, opsHost } from './lab-context.js';

/**
 * The apt repository and package operations against the lab's offline repository (file:/srv/lab-apt,
 * package wil-hello 1.0), on the fifth lab host only.
 */

const list = '/etc/apt/sources.list.d/wil-ops-test.list';
const lists = '/var/lib/apt/lists/_srv_lab-apt_*';
const repository = aptRepositoryOperation({
  name: 'wil-ops-test',
  line: 'deb [trusted=yes] file:/srv/lab-apt ./',
});
const update = 'update package lists of sources.list.d/wil-ops-test.list';
let lab: OpsLab;

const clean = () =>
  lab.sh(
    // apt-get purge refuses a package it has no list for: only when dpkg knows it.
    `if dpkg -s wil-hello >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get purge -y -o DPkg::Lock::Timeout=120 wil-hello >/dev/null; fi && rm -f ${list} ${lists}`,
  );

beforeAll(async () => {
  lab = await connectOpsLab();
  await clean();
});
afterAll(async () => {
  await clean();
  lab.host.close();
});

describe('apt repository operation', () => {
  it('writes the source file and fetches its lists, then has nothing to do', async () => {
    const context = lab.context();
    expect(await repository.check(context)).toEqual({
      changes: [`create ${list} (new file)`, update],
      notes: [],
    });
    expect(context.changedPaths.has(list)).toBe(true);
    expect(await lab.sh(`ls ${list} ${lists} 2>/dev/null || true`)).toBe(''); // check changed nothing

    expect((await repository.apply(lab.context())).changes).toEqual([`create ${list} (new file)`, update]);
    expect(await lab.sh(`cat ${list}`)).toBe('deb [trusted=yes] file:/srv/lab-apt ./\n');
    expect(await lab.sh('apt-cache policy wil-hello')).toMatch(/Candidate: 1\.0/);

    expect(await repository.check(lab.context())).toEqual({ changes: [], notes: [] });
    expect(await repository.apply(lab.context())).toEqual({ changes: [], notes: [] });
  });

  it('fetches the lists again when they are missing, without rewriting the file', async () => {
    await lab.sh(`rm -f ${lists}`);
    expect((await repository.check(lab.context())).changes).toEqual([update]);
    expect((await repository.apply(lab.context())).changes).toEqual([update]);
    expect(await lab.sh('apt-cache policy wil-hello')).toMatch(/Candidate: 1\.0/);
    expect((await repository.check(lab.context())).changes).toEqual([]);
  });

  it('rewrites a changed source file and updates', async () => {
    await lab.sh(`echo '# changed by hand' > ${list}`);
    const expected = [`update ${list} (content)`, update];
    expect((await repository.apply(lab.context())).changes).toEqual(expected);
    expect(await lab.sh(`cat ${list}`)).toBe('deb [trusted=yes] file:/srv/lab-apt ./\n');
  });
});

describe('apt package operation', () => {
  it('installs a missing package, then has nothing to do', async () => {
    expect((await aptPackageOperation({ name: 'wil-hello' }).check(lab.context())).changes).toEqual([
      'install wil-hello (not installed)',
    ]);
    const pinned = aptPackageOperation({ name: 'wil-hello', version: '1.0' });
    expect((await pinned.check(lab.context())).changes).toEqual(['install wil-hello 1.0']);
    expect((await pinned.apply(lab.context())).changes).toEqual(['install wil-hello 1.0']);
    expect(await lab.sh(`dpkg-query -W -f='\${Status} \${Version}' wil-hello`)).toBe(
      'install ok installed 1.0',
    );
    expect(await lab.sh('test -x /usr/bin/wil-hello && echo yes')).toBe('yes\n');

    expect(await pinned.check(lab.context())).toEqual({ changes: [], notes: [] });
    expect(await pinned.apply(lab.context())).toEqual({ changes: [], notes: [] });
    expect((await aptPackageOperation({ name: 'wil-hello' }).apply(lab.context())).changes).toEqual([]);
  });

  it('sees a version difference both ways', async () => {
    const newer = aptPackageOperation({ name: 'wil-hello', version: '2.0' });
    expect((await newer.check(lab.context())).changes).toEqual(['upgrade wil-hello 1.0 -> 2.0']);
    const older = aptPackageOperation({ name: 'wil-hello', version: '0.9' });
    expect((await older.check(lab.context())).changes).toEqual(['downgrade wil-hello 1.0 -> 0.9']);
  });

  it('fails naming the host, the command and apt output when the version does not exist', async () => {
    const error = await aptPackageOperation({ name: 'wil-hello', version: '2.0' })
      .apply(lab.context())
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(CommandFailedError);
    const failure = error as CommandFailedError;
    expect(failure.what).toBe(`${opsHost?.name}: installing wil-hello=2.0 failed (exit code 100)`);
    expect(failure.evidence[0]).toContain('apt-get install -y --no-install-recommends');
    expect(failure.evidence.join('\n')).toContain("Version '2.0' for 'wil-hello' was not found");
    expect(await lab.sh(`dpkg-query -W -f='\${Version}' wil-hello`)).toBe('1.0');
  });

  it('reinstalls a package removed with its configuration kept', async () => {
    await lab.sh('DEBIAN_FRONTEND=noninteractive apt-get remove -y wil-hello >/dev/null');
    const operation = aptPackageOperation({ name: 'wil-hello' });
    expect((await operation.apply(lab.context())).changes).toEqual(['install wil-hello (not installed)']);
    expect((await operation.check(lab.context())).changes).toEqual([]);
  });
});
