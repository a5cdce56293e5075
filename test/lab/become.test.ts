import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Become, shellQuote } from '../../src/hosts/become.js';
import { wireInstallFailure } from '../support/failure.js';
import { connectLabHost, labHosts } from './lab-hosts.js';

/**
 * sudo on a real host: users with passwordless sudo, with a password, and without sudo, made on
 * the last lab host (so the other tests' hosts stay as booted).
 */

const host = labHosts().at(-1);
if (!host) throw new Error('the lab has no host');
const password = randomBytes(12).toString('base64url');
const connectAs = (user: string, become: Become) => connectLabHost(host, { user, become });
const failure = wireInstallFailure;

beforeAll(async () => {
  const root = await connectAs('root', { enabled: false });
  const setup = [
    'set -e',
    'for u in wirepw wirenopw wirenosudo; do id -u $u >/dev/null 2>&1 || useradd -m -s /bin/sh $u;',
    '  mkdir -p /home/$u/.ssh; cp /root/.ssh/authorized_keys /home/$u/.ssh/; chown -R $u /home/$u/.ssh; done',
    'usermod -aG sudo wirepw',
    'echo "wirenopw ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/wirenopw',
    // The password arrives on stdin, read by chpasswd: never on a command line.
    'read -r pw; echo "wirepw:$pw" | chpasswd',
  ].join('\n');
  const result = await root.exec(`sh -c ${shellQuote(setup)}`, { stdin: `${password}\n` });
  root.close();
  expect(result.exitCode, result.stderr).toBe(0);
});

describe('become (sudo) on a lab host', () => {
  it('runs as root with passwordless sudo', async () => {
    const ssh = await connectAs('wirenopw', { enabled: true });
    expect((await ssh.exec('id -u')).stdout.trim()).toBe('0');
    ssh.close();
  });

  it('sends the sudo password over stdin, and the rest of stdin still reaches the command', async () => {
    const ssh = await connectAs('wirepw', { enabled: true, password });
    expect((await ssh.exec('id -u')).stdout.trim()).toBe('0');
    const piped = await ssh.exec('cat', { stdin: 'payload line\n' });
    expect(piped.stdout).toBe('payload line\n');
    expect(piped.stdout).not.toContain(password);
    ssh.close();
  });

  it('stops a command run through sudo at its timeout, with everything it started', async () => {
    const ssh = await connectAs('wirenopw', { enabled: true });
    const quick = await ssh.exec('echo err >&2; id -u', { timeoutMs: 10_000 });
    expect(quick).toEqual({ stdout: '0\n', stderr: 'err\n', exitCode: 0 });
    const error = await failure(ssh.exec('sleep 35 & sleep 36 | cat; wait', { timeoutMs: 300 }));
    expect(error.what).toContain('did not finish within 300 ms');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const left = await ssh.exec(
      `for f in /proc/[0-9]*/cmdline; do case "$(tr '\\0' ' ' < $f 2>/dev/null)" in 'sleep 35 '|'sleep 36 ') echo $f;; esac; done; true`,
    );
    expect(left.stdout).toBe('');
    // Stopped before sudo has even started it: killed as soon as it says where it runs.
    await failure(ssh.exec('sleep 38', { timeoutMs: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const early = await ssh.exec(
      `for f in /proc/[0-9]*/cmdline; do [ "$(tr '\\0' ' ' < $f 2>/dev/null)" = 'sleep 38 ' ] && echo $f; done; true`,
    );
    expect(early.stdout).toBe('');
    ssh.close();
  });

  it('says so when sudo needs a password that was not given', async () => {
    const ssh = await connectAs('wirepw', { enabled: true });
    const error = await failure(ssh.exec('id -u'));
    expect(error.what).toContain('sudo needs a password');
    expect(error.next).toContain('ssh.becomePassword');
    ssh.close();
  });

  it('says so when the password is wrong, without showing it', async () => {
    const ssh = await connectAs('wirepw', { enabled: true, password: `${password}-wrong` });
    const error = await failure(ssh.exec('id -u'));
    expect(error.what).toContain('refused the password');
    expect(JSON.stringify(error.toJSON())).not.toContain(password);
    ssh.close();
  });

  it('says so when the user may not use sudo at all', async () => {
    const ssh = await connectAs('wirenosudo', { enabled: true });
    const error = await failure(ssh.exec('id -u'));
    expect(error.what).toMatch(/sudo needs a password|may not use sudo/);
    ssh.close();
  });
});
