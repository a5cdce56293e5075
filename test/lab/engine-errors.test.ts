import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/hosts/become.js';
import { writeSecretsFile } from '../../src/secrets/file.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { labWorkspace, runLabCli } from './lab-cli.js';
import { connectLabHost, LAB_KNOWN_HOSTS, labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';

/**
 * What an operator meets when a host cannot be reached or used, through `apply --plan` (which
 * connects and gathers facts): each failure has its own message, and exit code 1.
 */

const [first, second] = labHosts();
if (!first || !second) throw new Error('the lab needs two hosts');
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sudoUserPassword = randomBytes(12).toString('base64url');

/** A user whose sudo asks for a password, on the first host (again after a fresh disk). */
const addSudoUser = async (): Promise<void> => {
  const root = await connectLabHost(first);
  const setup = [
    'set -e',
    'id -u wilpw >/dev/null 2>&1 || useradd -m -s /bin/sh -G sudo wilpw',
    'mkdir -p /home/wilpw/.ssh && cp /root/.ssh/authorized_keys /home/wilpw/.ssh/ && chown -R wilpw /home/wilpw/.ssh',
    'read -r pw; echo "wilpw:$pw" | chpasswd',
  ].join('\n');
  const result = await root.exec(`sh -c ${shellQuote(setup)}`, { stdin: `${sudoUserPassword}\n` });
  root.close();
  expect(result.exitCode, result.stderr).toBe(0);
};
beforeAll(addSudoUser);

const withSsh = (extra: string) => (inventory: string) =>
  inventory.replace('ssh:\n  user: root\n', `ssh:\n  user: root\n${extra}`);

describe('host keys through apply', () => {
  it('trusts an unknown host on first use, shows and records it; --strict-host-keys refuses it', async () => {
    const workspace = labWorkspace(1);
    writeFileSync(join(workspace.home, '.ssh', 'known_hosts'), '');
    const strict = await runLabCli(workspace, ['apply', '--plan', '--strict-host-keys']);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain('is not known');
    const expected = execFileSync('ssh-keygen', ['-lf', '-'], {
      input: readFileSync(LAB_KNOWN_HOSTS, 'utf8')
        .split('\n')
        .find((line) => line.startsWith(`${first.address} `)),
      encoding: 'utf8',
    }).split(' ')[1];
    const firstUse = await runLabCli(workspace, ['apply', '--plan', '--json']);
    expect(firstUse.exitCode, firstUse.stderr).toBe(0);
    expect(firstUse.events.find((e) => e.type === 'host-key-trusted')).toMatchObject({
      host: first.name,
      fingerprint: expected,
      recordedIn: expect.stringContaining('.wire-install/known_hosts'),
    });
    expect(readFileSync(join(workspace.dir, '.wire-install', 'known_hosts'), 'utf8')).toContain(
      first.address,
    );
    const text = await runLabCli(workspace, ['apply', '--plan']);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stderr).not.toContain('trusted on first use');
  });
});

describe('apply cannot use a host', () => {
  it('refuses a host whose key changed, saying what to check', async () => {
    const workspace = labWorkspace(1);
    // The first host's address, with the second host's key: what a reinstalled host looks like.
    const secondKey = readFileSync(LAB_KNOWN_HOSTS, 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${second.address} `))
      ?.split(' ')
      .slice(1)
      .join(' ');
    writeFileSync(join(workspace.home, '.ssh', 'known_hosts'), `${first.address} ${secondKey}\n`);
    const run = await runLabCli(workspace, ['apply', '--plan']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(first.name);
    expect(run.stderr).toContain('is not the one recorded');
    expect(run.stderr).toContain(`ssh-keygen -R ${first.address}`);
  });

  it('says when the SSH key is not accepted', async () => {
    const workspace = labWorkspace(1);
    const key = join(workspace.dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const run = await runLabCli(workspace, ['apply', '--plan']);
    expect(run.exitCode).toBe(0); // the lab key works...
    writeFileSync(
      workspace.inventory,
      readFileSync(workspace.inventory, 'utf8').replace(/identityFile: .*/, `identityFile: ${key}`),
    );
    const refused = await runLabCli(workspace, ['apply', '--plan']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('SSH login as root was refused (authentication failed)');
  });

  it('says when nothing listens on the SSH port', async () => {
    const workspace = labWorkspace(1, withSsh('  port: 2222\n'));
    const run = await runLabCli(workspace, ['apply', '--plan']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${first.name}: connection refused on ${first.address} port 2222`);
  });

  it('says when sudo needs a password the inventory does not give', async () => {
    const workspace = labWorkspace(1, (text) => text.replace('user: root', 'user: wilpw'));
    const run = await runLabCli(workspace, ['apply', '--plan']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${first.name}: sudo needs a password for this user`);
    expect(run.stderr).toContain('ssh.becomePassword');
  });
});

describe('a command that fails on a host', () => {
  afterAll(() => freshHosts([first]), 60_000);

  it('fails the run naming the host, step, command, exit code and last lines, and points at the log', async () => {
    await freshHosts([first]);
    const workspace = labWorkspace(1);
    workspace.setVars({ failOn: first.name });
    const run = await runLabCli(workspace, ['apply']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`error: ${first.name}: lab.slow failed`);
    expect(run.stderr).toContain(`${first.name}: running slow work failed (exit code 3)`);
    expect(run.stderr).toMatch(/command: .*exit 3/);
    expect(run.stderr).toContain('| preparing /var/lib/wil-lab');
    expect(run.stderr).toContain('| no space left on /var/lib/wil-lab');
    const log = run.stdout.match(/Debug log: (\S+)/)?.[1];
    expect(log).toBeDefined();
    const text = readFileSync(join(workspace.dir, log ?? ''), 'utf8');
    expect(text).toMatch(new RegExp(`${escapeRegExp(first.name)} exit=3 ms=\\d+ \\$ .*exit 3`));
    expect(text).toContain('no space left on /var/lib/wil-lab');
  }, 60_000);
});

describe('sudo with the password from secrets.yaml', () => {
  // The file's earlier tests reset the host to a fresh disk, without the user.
  beforeAll(addSudoUser);

  it('works, and the password is in no output and no log', async () => {
    const workspace = labWorkspace(1, (text) =>
      text.replace('  user: root\n', '  user: wilpw\n  become: { password: true }\n'),
    );
    const secrets = generateSecrets();
    secrets.ssh = { becomePassword: sudoUserPassword };
    await writeSecretsFile(join(workspace.dir, 'secrets.yaml'), secrets);
    const run = await runLabCli(workspace, ['apply', '--plan', '--verbose']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(sudoUserPassword);
    const logs = join(workspace.dir, '.wire-install', 'logs');
    const [log] = readdirSync(logs);
    const text = readFileSync(join(logs, log ?? ''), 'utf8');
    expect(text).toMatch(new RegExp(`${escapeRegExp(first.name)} exit=0 ms=\\d+ \\$ sh -s`)); // facts, through sudo
    expect(text).not.toContain(sudoUserPassword);
    expect(statSync(join(logs, log ?? '')).mode & 0o777).toBe(0o600);
  });
});
