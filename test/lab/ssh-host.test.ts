import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKnownHosts } from '../../src/hosts/known-hosts.js';
import { readHostFile } from '../../src/hosts/read-file.js';
import { connectSsh } from '../../src/hosts/ssh-host.js';
import type { RemoteHost, SshTarget } from '../../src/hosts/types.js';
import { wireInstallFailure } from '../support/failure.js';
import { LAB_KNOWN_HOSTS, LAB_RUN, labHosts, labKnownHosts, labTarget } from './lab-hosts.js';

/** The SSH host against the lab's real sshd: one connection, verified host keys, explained failures. */

const [first, second] = labHosts();
if (!first || !second) throw new Error('the lab has fewer than two hosts');
const knownHosts = labKnownHosts();
const target = (host = first, extra: Partial<SshTarget> = {}): SshTarget => labTarget(host, extra);
const failure = wireInstallFailure;

/** Processes on the host whose whole command line is `commandLine` (the check's own does not match). */
async function processesRunning(on: RemoteHost, commandLine: string): Promise<string[]> {
  const result = await on.exec(
    `for f in /proc/[0-9]*/cmdline; do [ "$(tr '\\0' ' ' < $f 2>/dev/null)" = '${commandLine} ' ] && echo $f; done; true`,
  );
  return result.stdout.split('\n').filter(Boolean);
}

describe('SSH host on the lab', () => {
  let host: RemoteHost;
  beforeAll(async () => {
    host = await connectSsh(target(), { knownHosts });
  });
  afterAll(() => host.close());

  it('runs commands on one connection, with output and exit codes', async () => {
    expect(await host.exec('hostname')).toEqual({ stdout: `${first.name}\n`, stderr: '', exitCode: 0 });
    const failed = await host.exec('echo oops >&2; exit 7');
    expect(failed).toEqual({ stdout: '', stderr: 'oops\n', exitCode: 7 });
  });

  it('passes stdin, the way secrets travel (never on the command line)', async () => {
    const result = await host.exec('cat', { stdin: 'not-on-argv\n' });
    expect(result.stdout).toBe('not-on-argv\n');
  });

  it('stops a command that outlives its timeout, killing it on the host', async () => {
    const error = await failure(host.exec('sleep 30', { timeoutMs: 300 }));
    expect(error.what).toContain('did not finish within 300 ms');
    expect((await host.exec('true')).exitCode).toBe(0); // the connection is still usable
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await processesRunning(host, 'sleep 30')).toEqual([]);
  });

  it("stops everything a timed-out command started, and keeps a stoppable command's stderr its own", async () => {
    // A stoppable command reports its process group on stderr first; the caller never sees it.
    const quick = await host.exec('echo err >&2; echo out', { timeoutMs: 10_000 });
    expect(quick).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 0 });
    const error = await failure(host.exec('sleep 33 & sleep 34 | cat; wait', { timeoutMs: 300 }));
    expect(error.what).toContain('did not finish within 300 ms');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await processesRunning(host, 'sleep 33')).toEqual([]);
    expect(await processesRunning(host, 'sleep 34')).toEqual([]);
  });

  it('kills a command stopped before it said which process group it runs in, once it has', async () => {
    const error = await failure(host.exec('sleep 37', { timeoutMs: 1 }));
    expect(error.what).toContain('did not finish within 1 ms');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await processesRunning(host, 'sleep 37')).toEqual([]);
  });

  it('cancels a running command: it is killed on the host and the call fails', async () => {
    const controller = new AbortController();
    const running = host.exec('sleep 31', { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const error = await failure(running);
    expect(error.what).toBe(`${first.name}: a command was cancelled`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await processesRunning(host, 'sleep 31')).toEqual([]);
  });

  it('reads a file, and says when there is none', async () => {
    expect(await readHostFile(host, '/etc/hostname')).toBe(`${first.name}\n`);
    expect(await readHostFile(host, '/etc/no-such-file')).toBeUndefined();
  });

  it('runs many commands at once on one connection, queueing beyond sshd MaxSessions (10)', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => host.exec(`echo ${i}`)));
    expect(results.map((result) => Number(result.stdout.trim()))).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
  });
});

describe('SSH through a bastion (ProxyJump)', () => {
  it('reaches a host through another, verifying both host keys', async () => {
    const jumped = await connectSsh(target(second, { bastion: target(first) }), { knownHosts });
    // sshd on the target sees the connection coming from the bastion, not from this machine.
    const client = (await jumped.exec('echo $SSH_CLIENT')).stdout.split(' ')[0];
    expect(client).toBe(first.address);
    expect((await jumped.exec('hostname')).stdout.trim()).toBe(second.name);
    jumped.close();
  });

  it('refuses the target when only the bastion is known', async () => {
    const onlyBastion = knownHosts.filter((entry) => entry.patterns?.includes(first.address));
    const error = await failure(
      connectSsh(target(second, { bastion: target(first) }), { knownHosts: onlyBastion }),
    );
    expect(error.host).toBe(second.name);
    expect(error.what).toContain('is not known');
  });
});

describe('SSH failures are explained and refused', () => {
  it('refuses a host whose key differs from the recorded one', async () => {
    const swapped = parseKnownHosts(
      readFileSync(LAB_KNOWN_HOSTS, 'utf8')
        .replace(second.address, 'elsewhere')
        .replace(first.address, second.address),
    );
    const error = await failure(connectSsh(target(second), { knownHosts: swapped }));
    expect(error.host).toBe(second.name);
    expect(error.what).toContain('is not the one recorded');
    expect(error.next).toContain(`ssh-keygen -R ${second.address}`);
  });

  it('refuses a host whose key is unknown', async () => {
    const error = await failure(connectSsh(target(), { knownHosts: [] }));
    expect(error.what).toContain('is not known');
  });

  it('says authentication failed for a key the host does not accept', async () => {
    const error = await failure(
      connectSsh(
        target(first, {
          // The host's own host key: a real key, but not in root's authorized_keys.
          identityFile: `${LAB_RUN}/${first.name}/upper/etc/ssh/ssh_host_ed25519_key`,
        }),
        { knownHosts },
      ),
    );
    expect(error.what).toContain('authentication failed');
  });

  it('says connection refused where nothing listens (loopback)', async () => {
    const error = await failure(
      connectSsh(target(first, { name: 'nowhere', address: '127.0.0.1', port: 1 }), { knownHosts }),
    );
    expect(error.what).toContain('connection refused on 127.0.0.1 port 1');
  });
});
