import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';

/**
 * An SSH server on 127.0.0.1 that runs each command on THIS machine with `sh -c`, as the test's
 * own user: a stand-in host for `apply --plan` from a process the test cannot reach into (the
 * release executable). A plan only reads (facts, file checks), and the inventory turns sudo off.
 * `files` answer wire-install's file check (src/operations/file.ts) for the paths they name, so
 * a test decides what the "host" holds there. The inventory names the host by a private address
 * that `home/.ssh/config` maps to the server (the rules refuse a loopback address); known_hosts
 * holds the server's key, and `identityFile` is the key it accepts.
 */
export interface LoopbackSsh {
  port: number;
  identityFile: string;
  close(): Promise<void>;
}

export interface FakeFile {
  mode: string;
  owner: string;
  group: string;
  sha256: string;
}

export async function loopbackSsh(
  dir: string,
  alias: string,
  files: Record<string, FakeFile> = {},
): Promise<LoopbackSsh> {
  const hostKey = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const userKey = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const identityFile = join(dir, 'id_ecdsa');
  writeFileSync(identityFile, userKey.private, { mode: 0o600 });
  const userPublic = ssh2.utils.parseKey(userKey.public);
  if (userPublic instanceof Error) throw userPublic;

  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (context) => {
      const allowed =
        context.method === 'publickey' &&
        context.key.algo === userPublic.type &&
        context.key.data.equals(userPublic.getPublicSSH());
      if (allowed) context.accept();
      else context.reject(['publickey']);
    });
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, _reject, { command }) => {
        const channel = acceptExec();
        const file = Object.entries(files).find(
          ([path]) => command.includes(`stat -c '%a %U %G' '${path}'`) && command.includes('sha256sum'),
        );
        if (file) {
          const [, { mode, owner, group, sha256 }] = file;
          channel.write(`${mode} ${owner} ${group}\n${sha256}\n`);
          channel.exit(0);
          channel.end();
          return;
        }
        const child = spawn('sh', ['-c', command], { stdio: 'pipe' });
        channel.pipe(child.stdin);
        child.stdout.pipe(channel, { end: false });
        child.stderr.pipe(channel.stderr, { end: false });
        child.on('close', (code) => {
          channel.exit(code ?? 1);
          channel.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const ssh = join(dir, 'home/.ssh');
  mkdirSync(ssh, { recursive: true });
  const [type, key] = hostKey.public.split(' ');
  writeFileSync(join(ssh, 'known_hosts'), `[127.0.0.1]:${port} ${type} ${key}\n`);
  writeFileSync(join(ssh, 'config'), `Host ${alias}\n  HostName 127.0.0.1\n  Port ${port}\n`);
  return {
    port,
    identityFile,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
