import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../../src/hosts/become.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import { artifactOperation } from '../../../src/operations/artifact.js';
import type { OperationContext } from '../../../src/operations/types.js';
import { wireInstallFailure } from '../../support/failure.js';
import { connectLabHost } from '../lab-hosts.js';
import { connectOpsLab, type OpsLab, opsHost } from './lab-context.js';

/**
 * An artifact uploaded to the fifth lab host: sent only when the remote checksum differs, never
 * sent when the local file is not the expected one, and put in place through sudo by a login
 * user who cannot write there.
 */

const dir = '/var/tmp/wil-ops-test-artifact';
const target = `${dir}/tool`;
const sudoUser = 'wil-ops-test-sudo';
const local = mkdtempSync(join(tmpdir(), 'wil-ops-test-'));
const content = '#!/bin/sh\necho wil-ops-test tool\n';
const localPath = join(local, 'tool');
const sha256 = createHash('sha256').update(content).digest('hex');
const spec = { localPath, remotePath: target, sha256, mode: 0o755 };
let lab: OpsLab;
const uploads: string[] = [];

/** The lab host, recording every putFile. */
const counting = (host: RemoteHost): RemoteHost => ({
  name: host.name,
  exec: (command, options) => host.exec(command, options),
  putFile: async (from, to) => {
    uploads.push(to);
    if (!host.putFile) throw new Error('no putFile');
    await host.putFile(from, to);
  },
  close: () => host.close(),
});
const context = (): OperationContext => ({ ...lab.context(), host: counting(lab.host) });

beforeAll(async () => {
  writeFileSync(localPath, content);
  lab = await connectOpsLab();
  await lab.sh(
    [
      `rm -rf ${dir} && mkdir -p ${dir}`,
      `id -u ${sudoUser} >/dev/null 2>&1 || useradd -m -s /bin/sh ${sudoUser}`,
      `mkdir -p /home/${sudoUser}/.ssh && cp /root/.ssh/authorized_keys /home/${sudoUser}/.ssh/`,
      `chown -R ${sudoUser} /home/${sudoUser}/.ssh`,
      `echo '${sudoUser} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/wil-ops-test`,
    ].join(' && '),
  );
});
afterAll(async () => {
  await lab.sh(`rm -rf ${dir} /etc/sudoers.d/wil-ops-test; userdel -r ${sudoUser} 2>/dev/null; true`);
  lab.host.close();
  rmSync(local, { recursive: true, force: true });
});

describe('artifact operation', () => {
  it('uploads a missing file, verified, with its mode and owner', async () => {
    const operation = artifactOperation(spec);
    const checked = context();
    expect(await operation.check(checked)).toEqual({ changes: [`create ${target} (new file)`], notes: [] });
    expect(checked.changedPaths.has(target)).toBe(true);
    expect((await operation.apply(context())).changes).toEqual([`create ${target} (new file)`]);
    expect(uploads).toHaveLength(1);
    expect(await lab.sh(`sha256sum ${target} | cut -d' ' -f1; stat -c '%a %U' ${target}`)).toBe(
      `${sha256}\n755 root\n`,
    );
    expect(await lab.sh(`ls ${dir}`)).toBe('tool\n'); // no temporary file left
  });

  it('sends nothing when the checksum matches', async () => {
    const operation = artifactOperation(spec);
    expect(await operation.check(context())).toEqual({ changes: [], notes: [] });
    expect(await operation.apply(context())).toEqual({ changes: [], notes: [] });
    expect(uploads).toHaveLength(1);
  });

  it('fixes the mode without sending, and sends again when the content differs', async () => {
    await lab.sh(`chmod 600 ${target}`);
    expect((await artifactOperation(spec).apply(context())).changes).toEqual([
      `update ${target} (mode 600 -> 755)`,
    ]);
    expect(uploads).toHaveLength(1);
    await lab.sh(`echo changed > ${target}`);
    expect((await artifactOperation(spec).apply(context())).changes).toEqual([`update ${target} (content)`]);
    expect(uploads).toHaveLength(2);
    expect(await lab.sh(`cat ${target}`)).toBe(content);
  });

  it('refuses to send a local file that is not the expected one, with both checksums', async () => {
    await lab.sh(`echo old > ${target}`);
    const wrong = createHash('sha256').update('another release').digest('hex');
    const error = await wireInstallFailure(artifactOperation({ ...spec, sha256: wrong }).apply(context()));
    expect(error.what).toBe(`${localPath} does not have the expected checksum: not sent to ${opsHost?.name}`);
    expect(error.evidence).toEqual([`expected sha256 ${wrong}`, `measured sha256 ${sha256}`]);
    expect(uploads).toHaveLength(2);
    expect(await lab.sh(`cat ${target}; ls ${dir}`)).toBe('old\ntool\n');
  });

  it('puts the file in place through sudo when the login user cannot write there', async () => {
    if (!opsHost) throw new Error('no lab host');
    const viaSudo = await connectLabHost(opsHost, { user: sudoUser, become: { enabled: true } });
    try {
      expect((await viaSudo.exec(`test -w ${dir} || echo not writable`)).stdout).toBe(''); // as root through sudo
      const asLogin = await viaSudo.exec(
        `sudo -u ${sudoUser} sh -c ${shellQuote(`test -w ${dir} || echo no`)}`,
      );
      expect(asLogin.stdout).toBe('no\n');
      const other = artifactOperation({ ...spec, remotePath: `${dir}/via-sudo`, mode: 0o640 });
      const outcome = await other.apply({ host: viaSudo, facts: lab.facts, changedPaths: new Set() });
      expect(outcome.changes).toEqual([`create ${dir}/via-sudo (new file)`]);
      expect(await lab.sh(`sha256sum ${dir}/via-sudo | cut -d' ' -f1; stat -c '%a %U' ${dir}/via-sudo`)).toBe(
        `${sha256}\n640 root\n`,
      );
      expect(await lab.sh(`ls /var/tmp | grep -c wire-install-upload || true`)).toBe('0\n');
    } finally {
      viaSudo.close();
    }
  });
});
