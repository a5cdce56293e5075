import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecOptions, RemoteHost } from '../../src/hosts/types.js';
import { applyFile, checkFile } from '../../src/operations/file.js';
import { connectLabHost, labHosts } from './lab-hosts.js';

/** The file operation on a real host: create, no change on a second apply, update on a difference. */

const [first] = labHosts();
if (!first) throw new Error('the lab has no host');
let host: RemoteHost;
const commands: string[] = [];

beforeAll(async () => {
  const real = await connectLabHost(first);
  // Records every command line sent, to prove content never rides on one.
  host = {
    name: real.name,
    exec: (command: string, options?: ExecOptions) => {
      commands.push(command);
      return real.exec(command, options);
    },
    close: () => real.close(),
  };
});
afterAll(() => host.close());

describe('file operation on a lab host', () => {
  const spec = { path: '/etc/wire-install-test/app.conf', content: 'secret=not-on-argv\n', mode: 0o600 };

  it('creates the file with its mode, then has nothing to do the second time', async () => {
    await host.exec('mkdir -p /etc/wire-install-test && rm -f /etc/wire-install-test/app.conf');
    expect((await checkFile(host, spec)).action).toBe('create');
    expect((await applyFile(host, spec)).action).toBe('create');
    const onHost = await host.exec(
      "stat -c '%a %U' /etc/wire-install-test/app.conf; cat /etc/wire-install-test/app.conf",
    );
    expect(onHost.stdout).toBe('600 root\nsecret=not-on-argv\n');
    expect(await applyFile(host, spec)).toEqual({ path: spec.path, action: 'none', differences: [] });
    expect((await host.exec('ls /etc/wire-install-test')).stdout).toBe('app.conf\n'); // no temp files left
  });

  it('updates exactly what differs: content, then mode', async () => {
    const changed = await applyFile(host, { ...spec, content: 'secret=changed\n' });
    expect(changed).toMatchObject({ action: 'update', differences: ['content'] });
    const modeOnly = await applyFile(host, { ...spec, content: 'secret=changed\n', mode: 0o640 });
    expect(modeOnly).toMatchObject({ action: 'update', differences: ['mode 600 -> 640'] });
  });

  it('never puts the content on a command line', () => {
    expect(
      commands.some((command) => command.includes('not-on-argv') || command.includes('secret=changed')),
    ).toBe(false);
  });
});
