import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupOperation, userOperation } from '../../../src/operations/user.js';
import { wireInstallFailure } from '../../support/failure.js';
import { connectOpsLab, type OpsLab, opsHost } from './lab-context.js';

/** Groups and users on the fifth lab host: created, current after, brought back after drift. */

const group = 'wil-ops-test-grp';
const other = 'wil-ops-test-other';
const user = 'wil-ops-test-user';
const paired = 'wil-ops-test-pair';
const home = '/var/lib/wil-ops-test-user';
let lab: OpsLab;

const clean = () =>
  lab.sh(
    [
      ...[user, paired].map((name) => `if id -u ${name} >/dev/null 2>&1; then userdel ${name}; fi`),
      ...[group, other, paired, user].map(
        (name) => `if getent group ${name} >/dev/null; then groupdel ${name}; fi`,
      ),
      `rm -rf ${home}`,
    ].join('; '),
  );

beforeAll(async () => {
  lab = await connectOpsLab();
  await clean();
});
afterAll(async () => {
  await clean();
  lab.host.close();
});

describe('group operation', () => {
  it('creates a system group, then has nothing to do', async () => {
    const operation = groupOperation({ name: group, system: true });
    expect(await operation.check(lab.context())).toEqual({ changes: [`create group ${group}`], notes: [] });
    expect(await lab.sh(`getent group ${group} || true`)).toBe('');
    expect((await operation.apply(lab.context())).changes).toEqual([`create group ${group}`]);
    expect(Number((await lab.sh(`getent group ${group}`)).split(':')[2])).toBeLessThan(1000);
    expect(await operation.apply(lab.context())).toEqual({ changes: [], notes: [] });
  });

  it('creates a group with its gid, and refuses to change the gid of an existing one', async () => {
    await groupOperation({ name: other, gid: 4711 }).apply(lab.context());
    expect(await lab.sh(`getent group ${other}`)).toBe(`${other}:x:4711:\n`);
    const error = await wireInstallFailure(groupOperation({ name: other, gid: 4712 }).check(lab.context()));
    expect(error.what).toBe(`${opsHost?.name}: group ${other} exists with gid 4711, not 4712`);
    expect(await lab.sh(`getent group ${other}`)).toBe(`${other}:x:4711:\n`);
  });
});

describe('user operation', () => {
  const spec = {
    name: user,
    system: true,
    home,
    shell: '/usr/sbin/nologin',
    groups: [group],
    createHome: true,
  };

  it('creates a system user with home, shell and groups, then has nothing to do', async () => {
    const operation = userOperation(spec);
    expect(await operation.check(lab.context())).toEqual({ changes: [`create user ${user}`], notes: [] });
    expect((await operation.apply(lab.context())).changes).toEqual([`create user ${user}`]);
    const [, , uid, , , userHome, shell] = (await lab.sh(`getent passwd ${user}`)).trim().split(':');
    expect(Number(uid)).toBeLessThan(1000);
    expect([userHome, shell]).toEqual([home, '/usr/sbin/nologin']);
    expect((await lab.sh(`id -nG ${user}`)).trim().split(' ')).toContain(group);
    expect(await lab.sh(`stat -c %U ${home}`)).toBe(`${user}\n`);
    expect(await operation.check(lab.context())).toEqual({ changes: [], notes: [] });
    expect(await operation.apply(lab.context())).toEqual({ changes: [], notes: [] });
  });

  it('puts back shell and missing groups, keeping groups added by others', async () => {
    await lab.sh(
      `usermod -s /bin/sh ${user} && gpasswd -d ${user} ${group} >/dev/null && usermod -a -G ${other} ${user}`,
    );
    const expected = [
      `set shell of user ${user} /bin/sh -> /usr/sbin/nologin`,
      `add user ${user} to ${group}`,
    ];
    expect((await userOperation(spec).check(lab.context())).changes).toEqual(expected);
    expect((await userOperation(spec).apply(lab.context())).changes).toEqual(expected);
    expect((await lab.sh(`getent passwd ${user}`)).trim().endsWith(':/usr/sbin/nologin')).toBe(true);
    expect((await lab.sh(`id -nG ${user}`)).trim().split(' ').sort()).toEqual([group, other, user].sort());
    expect((await userOperation(spec).check(lab.context())).changes).toEqual([]);
  });

  it('sets another home when it differs (the directory is not moved)', async () => {
    const moved = { ...spec, home: `${home}-moved` };
    expect((await userOperation(moved).apply(lab.context())).changes).toEqual([
      `set home of user ${user} ${home} -> ${home}-moved`,
    ]);
    expect((await lab.sh(`getent passwd ${user}`)).split(':')[5]).toBe(`${home}-moved`);
  });

  it('creates a user whose own group a group operation made first', async () => {
    await groupOperation({ name: paired, system: true }).apply(lab.context());
    const operation = userOperation({ name: paired, system: true, shell: '/usr/sbin/nologin' });
    expect((await operation.apply(lab.context())).changes).toEqual([`create user ${paired}`]);
    expect((await lab.sh(`id -gn ${paired}`)).trim()).toBe(paired);
  });
});
