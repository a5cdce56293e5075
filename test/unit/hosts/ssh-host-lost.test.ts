import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { WireInstallError } from '../../../src/core/errors.js';
import { parseKnownHosts } from '../../../src/hosts/known-hosts.js';
import { connectSsh } from '../../../src/hosts/ssh-host.js';
import type { RemoteHost } from '../../../src/hosts/types.js';

/**
 * A host that goes away after it was connected, with real ssh2 on both ends: a server on
 * loopback behind a TCP relay the test can cut (every byte dropped both ways, as a partition
 * does) or close. ssh2 reports the keepalive timeout as an 'error' event; before issue 15 it
 * reached an emitter without a listener and ended the process (vitest reports that as an
 * unhandled error, failing the test). Now it is the host's own "lost" failure, naming the host.
 */

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

interface Lab {
  host: RemoteHost;
  /** Drops every byte both ways from now on. */
  partition(): void;
  /** Closes the relay's sockets: the connection ends as when a host is switched off and its kernel answers with a reset. */
  cut(): void;
}

async function lostHostLab(): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'wil-ssh-lost-'));
  const hostKey = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const userKey = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const identityFile = join(dir, 'id');
  writeFileSync(identityFile, userKey.private, { mode: 0o600 });
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (context) => context.accept());
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, _reject, { command }) => {
        const channel = acceptExec();
        // `hang` never ends: a command still running when the host goes away.
        if (command === 'hang') return;
        channel.write('ok\n');
        channel.exit(0);
        channel.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const sshPort = (server.address() as AddressInfo).port;

  let dropping = false;
  const open: Socket[] = [];
  const relay: Server = createServer((inbound) => {
    const outbound = tcpConnect(sshPort, '127.0.0.1');
    open.push(inbound, outbound);
    for (const socket of [inbound, outbound]) socket.on('error', () => undefined);
    inbound.on('data', (chunk) => dropping || outbound.write(chunk));
    outbound.on('data', (chunk) => dropping || inbound.write(chunk));
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      for (const socket of open) socket.destroy();
      relay.close();
    },
  });
  const port = (relay.address() as AddressInfo).port;
  const [type, key] = hostKey.public.split(' ');
  const host = await connectSsh(
    {
      name: 'lost1',
      address: '127.0.0.1',
      port,
      user: 'root',
      identityFile,
      keepalive: { intervalSeconds: 1, count: 2 },
    },
    { knownHosts: parseKnownHosts(`[127.0.0.1]:${port} ${type} ${key}\n`) },
  );
  return {
    host,
    partition: () => {
      dropping = true;
    },
    cut: () => {
      for (const socket of open) socket.destroy();
    },
  };
}

describe('a host that goes away after it was connected', () => {
  it('fails the command that runs on it as a lost host, after interval x count, without an unhandled error', async () => {
    const lab = await lostHostLab();
    expect((await lab.host.exec('echo')).stdout).toBe('ok\n');
    const running = lab.host.exec('hang');
    const partitioned = performance.now();
    lab.partition();
    const error = await running.catch((caught: unknown) => caught);
    const seconds = (performance.now() - partitioned) / 1000;
    expect(error).toBeInstanceOf(WireInstallError);
    const lost = error as WireInstallError;
    expect(lost.host).toBe('lost1');
    expect(lost.what).toContain('lost1: 127.0.0.1 stopped answering while a command ran');
    expect(lost.what).toContain('no answer to SSH keepalives for 2 s');
    expect(lost.evidence).toContain('command: hang');
    expect(lost.next).toContain('apply resumes with the steps that did not finish');
    expect(seconds).toBeGreaterThan(0.9);
    expect(seconds).toBeLessThan(4);
    lab.host.close();
  }, 15_000);

  it('settles `lost` for an idle host, and fails the next command at once', async () => {
    const lab = await lostHostLab();
    lab.partition();
    const lost = await lab.host.lost;
    expect(lost?.message).toBe(
      'lost1: 127.0.0.1 stopped answering: no answer to SSH keepalives for 2 s (the host is down or frozen, or the network to it is cut)',
    );
    const started = performance.now();
    const error = await lab.host.exec('echo').catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((error as WireInstallError).what).toContain('stopped answering while a command ran');
    lab.host.close();
  }, 15_000);

  it('names a connection cut while a command runs as lost, not as the command failing', async () => {
    const lab = await lostHostLab();
    const running = lab.host.exec('hang');
    await new Promise((resolve) => setTimeout(resolve, 100));
    lab.cut();
    const error = (await running.catch((caught: unknown) => caught)) as WireInstallError;
    expect(error.what).toContain('lost1: the connection to 127.0.0.1 was lost while a command ran');
    lab.host.close();
  }, 15_000);

  it('does not call a host closed by close() lost', async () => {
    const lab = await lostHostLab();
    lab.host.close();
    const settled = await Promise.race([
      lab.host.lost?.then(() => 'lost'),
      new Promise((resolve) => setTimeout(() => resolve('quiet'), 500)),
    ]);
    expect(settled).toBe('quiet');
  });
});
