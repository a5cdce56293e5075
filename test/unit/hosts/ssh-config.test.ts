import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import {
  hostMatches,
  knownHostsFiles,
  loadKnownHostsFiles,
  loadSshConfig,
  parseJumpHost,
  resolveSshConfig,
} from '../../../src/hosts/ssh-config.js';

const HOME = '/home/admin';

const CONFIG = `
# settings for every host come first only when nothing more specific was obtained before
Host web* !web-internal
  HostName %h.example.com
  Port 2222
  IdentityFile ~/.ssh/web_key

Host web-internal
  ProxyJump admin@bastion.example.com:2200,second-hop

Host db?
  User=postgres
  StrictHostKeyChecking no

Host *
  User deploy
  Port 22
  IdentityFile "~/keys/with space"   # a trailing comment
  UserKnownHostsFile ~/.ssh/kh1 /srv/known_hosts
  StrictHostKeyChecking accept-new
`;

const resolve = (alias: string, text = CONFIG) => resolveSshConfig(text, alias, HOME);

describe('ssh_config Host patterns', () => {
  it('matches *, ? and negation like OpenSSH', () => {
    expect(hostMatches('web1', ['web*'])).toBe(true);
    expect(hostMatches('WEB1', ['web*'])).toBe(true);
    expect(hostMatches('db1', ['db?'])).toBe(true);
    expect(hostMatches('db12', ['db?'])).toBe(false);
    expect(hostMatches('web-internal', ['web*', '!web-internal'])).toBe(false);
    // A negation alone matches nothing: some positive pattern must match.
    expect(hostMatches('other', ['!web*'])).toBe(false);
    // Dots are literal, not regular-expression wildcards.
    expect(hostMatches('10x0x0x1', ['10.0.0.1'])).toBe(false);
    expect(hostMatches('10.0.0.1', ['10.0.0.*'])).toBe(true);
  });

  it('applies a block whose pattern matches, skipping one whose negation matches', () => {
    expect(resolve('web1')).toMatchObject({ hostName: 'web1.example.com', port: 2222 });
    const internal = resolve('web-internal');
    expect(internal.hostName).toBeUndefined();
    expect(internal.port).toBe(22);
  });

  it('keeps the first value obtained, so Host * at the end only fills gaps', () => {
    expect(resolve('web1').port).toBe(2222);
    expect(resolve('db1')).toMatchObject({ user: 'postgres', port: 22, strictHostKeyChecking: 'no' });
    expect(resolve('other')).toMatchObject({ user: 'deploy', port: 22, strictHostKeyChecking: 'accept-new' });
    // IdentityFile accumulates, in order.
    expect(resolve('web1').identityFiles).toEqual([`${HOME}/.ssh/web_key`, `${HOME}/keys/with space`]);
  });

  it('applies lines before the first Host to every host, and ignores Match blocks with a note', () => {
    const text = 'Port 2200\nMatch user nobody\n  Port 1\n  User nobody\nHost *\n  User admin\n';
    const resolved = resolve('any', text);
    expect(resolved).toMatchObject({ port: 2200, user: 'admin' });
    expect(resolved.notes.join('\n')).toContain('line 2: Match blocks are not evaluated');
  });

  it('refuses a Port that is not a port number, naming the line', () => {
    let error: unknown;
    try {
      resolve('x', 'Host *\n  Port ssh\n');
    } catch (caught) {
      error = caught;
    }
    expect(isWireInstallError(error) && error.what).toContain('line 2: Port ssh is not a port number');
  });
});

describe('ssh_config values', () => {
  it('expands ~ in IdentityFile and UserKnownHostsFile, which may list several files', () => {
    expect(resolve('other').userKnownHostsFiles).toEqual([`${HOME}/.ssh/kh1`, '/srv/known_hosts']);
    expect(resolve('x', 'UserKnownHostsFile none\n').userKnownHostsFiles).toEqual([]);
    expect(resolve('x', 'IdentityFile %d/id_%h\n').identityFiles).toEqual([`${HOME}/id_x`]);
  });

  it('takes the first ProxyJump hop and notes the others', () => {
    const resolved = resolve('web-internal');
    expect(resolved.proxyJump).toEqual({ user: 'admin', host: 'bastion.example.com', port: 2200 });
    expect(resolved.notes.join('\n')).toContain('second-hop not followed');
    // ProxyJump none, obtained first, turns off a later one.
    expect(resolve('x', 'Host x\n ProxyJump none\nHost *\n ProxyJump b\n').proxyJump).toBeUndefined();
    const command = resolve('x', 'ProxyCommand nc %h %p\nProxyJump b\n');
    expect(command.proxyCommand).toBe('nc %h %p');
    expect(command.proxyJump).toBeUndefined();
  });

  it('parses the forms a jump host can take', () => {
    expect(parseJumpHost('bastion')).toEqual({ host: 'bastion' });
    expect(parseJumpHost('ops@bastion')).toEqual({ user: 'ops', host: 'bastion' });
    expect(parseJumpHost('bastion:2222')).toEqual({ host: 'bastion', port: 2222 });
    expect(parseJumpHost('ops@[2001:db8::1]:2222')).toEqual({ user: 'ops', host: '2001:db8::1', port: 2222 });
    expect(parseJumpHost('ssh://ops@10.0.0.1:2222')).toEqual({ user: 'ops', host: '10.0.0.1', port: 2222 });
    expect(parseJumpHost('bastion:99999')).toBeUndefined();
    expect(parseJumpHost('@bastion')).toBeUndefined();
  });

  it('names the known_hosts files: UserKnownHostsFile if set, else the defaults, then the global ones', () => {
    expect(knownHostsFiles(undefined, HOME)).toEqual([
      `${HOME}/.ssh/known_hosts`,
      `${HOME}/.ssh/known_hosts2`,
      '/etc/ssh/ssh_known_hosts',
      '/etc/ssh/ssh_known_hosts2',
    ]);
    expect(knownHostsFiles(resolve('other'), HOME)).toEqual([
      `${HOME}/.ssh/kh1`,
      '/srv/known_hosts',
      '/etc/ssh/ssh_known_hosts',
      '/etc/ssh/ssh_known_hosts2',
    ]);
    expect(knownHostsFiles(resolve('x', 'GlobalKnownHostsFile none\nUserKnownHostsFile /a\n'), HOME)).toEqual(
      ['/a'],
    );
  });
});

describe('ssh_config files', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'wire-install-sshconfig-'));
    await mkdir(join(home, '.ssh', 'config.d'), { recursive: true });
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('is undefined when there is no ~/.ssh/config', async () => {
    expect(await loadSshConfig('x', { home })).toBeUndefined();
  });

  it('reads Includes relative to ~/.ssh, wildcards sorted, Host lines not outlasting the file', async () => {
    await writeFile(join(home, '.ssh', 'config.d', 'b.conf'), 'Host x\n  Port 2002\n  User from-b\n');
    await writeFile(join(home, '.ssh', 'config.d', 'a.conf'), 'Host x\n  Port 2001\nHost nothing\n');
    await writeFile(join(home, '.ssh', 'c.conf'), 'Port 2003\n');
    await writeFile(
      join(home, '.ssh', 'config'),
      'Host x\n  Include config.d/*.conf\n  IdentityFile ~/id\nHost other\n  Include ~/.ssh/c.conf\n',
    );
    const resolved = await loadSshConfig('x', { home });
    // a.conf comes first; the `Host nothing` in it does not switch off the rest of `Host x`.
    expect(resolved).toMatchObject({ port: 2001, user: 'from-b', identityFiles: [`${home}/id`] });
    // Lines outside any Host block of an included file apply where the Include is.
    expect((await loadSshConfig('other', { home }))?.port).toBe(2003);
    expect((await loadSshConfig('third', { home }))?.port).toBeUndefined();
  });

  it('reads the known_hosts files that exist and says which', async () => {
    const present = join(home, 'kh');
    await writeFile(
      present,
      '10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBheIoWKJyqWadodkwWCvwrwHpjKKROdxH0ni3WSd/0P\n',
    );
    const loaded = await loadKnownHostsFiles([join(home, 'absent'), present]);
    expect(loaded.files).toEqual([present]);
    expect(loaded.entries.map((entry) => entry.patterns)).toEqual([['10.0.0.1']]);
  });
});

/** The same file through OpenSSH itself (`ssh -G` prints the settings without connecting). */
const hasSsh = (() => {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasSsh)('ssh_config resolved as ssh -G does', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wire-install-sshg-'));
    await writeFile(join(dir, 'config'), CONFIG);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['web1', 'web-internal', 'db1', 'other'])('%s', (alias) => {
    const home = userInfo().homedir;
    const printed = execFileSync('ssh', ['-G', '-F', join(dir, 'config'), alias], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const get = (key: string) =>
      printed
        .split('\n')
        .filter((line) => line.startsWith(`${key} `))
        .map((line) => line.slice(key.length + 1));
    const ours = resolveSshConfig(CONFIG, alias, home);
    expect(ours.hostName ?? alias).toBe(get('hostname')[0]);
    expect(String(ours.port ?? 22)).toBe(get('port')[0]);
    expect(ours.user).toBe(get('user')[0]);
    expect(ours.identityFiles).toEqual(get('identityfile').map((file) => file.replace(/^~/, home)));
    expect(ours.userKnownHostsFiles?.join(' ')).toBe(get('userknownhostsfile')[0]);
    const strict = get('stricthostkeychecking')[0];
    expect(ours.strictHostKeyChecking).toBe(strict === 'false' ? 'no' : strict === 'true' ? 'yes' : strict);
    const jump = get('proxyjump')[0]?.split(',')[0];
    expect(ours.proxyJump).toEqual(jump ? parseJumpHost(jump) : undefined);
  });
});
