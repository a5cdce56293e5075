import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sysctlOperation } from '../../../src/operations/sysctl.js';
import { connectOpsLab, type OpsLab, opsHost } from './lab-context.js';

/**
 * Kernel settings on a lab host, whose /proc/sys is read-only (a container): the settings are
 * persisted, a note says they wait for the next boot, and the second run changes nothing.
 */

const path = '/etc/sysctl.d/60-wil-ops-test.conf';
let lab: OpsLab;
let portRange: string;

beforeAll(async () => {
  lab = await connectOpsLab();
  await lab.sh(`rm -f ${path}`);
  // Already right (sysctl prints it with a tab): persisted, but not in the note.
  portRange = (await lab.sh('sysctl -n net.ipv4.ip_local_port_range')).trim().replace(/\s+/, ' ');
});
afterAll(async () => {
  await lab.sh(`rm -f ${path}`);
  lab.host.close();
});

describe('sysctl operation where /proc/sys is read-only', () => {
  const operation = () =>
    sysctlOperation({
      file: '60-wil-ops-test.conf',
      settings: { 'net.ipv4.ip_forward': '1', 'net.ipv4.ip_local_port_range': portRange },
    });
  const note = `/proc/sys is read-only on ${opsHost?.name} (a container?): net.ipv4.ip_forward=1 persisted in /etc/sysctl.d/60-wil-ops-test.conf, applied at next boot`;

  it('is what the lab is', async () => {
    expect(lab.facts.procSysWritable).toBe(false);
    expect(await lab.sh('sysctl -n net.ipv4.ip_forward')).toBe('0\n');
  });

  it('persists the settings with a note instead of failing', async () => {
    const context = lab.context();
    expect(await operation().check(context)).toEqual({
      changes: [`create ${path} (new file)`],
      notes: [note],
    });
    expect(context.changedPaths.has(path)).toBe(true);
    expect(await operation().apply(lab.context())).toEqual({
      changes: [`create ${path} (new file)`],
      notes: [note],
    });
    expect(await lab.sh(`grep -v '^#' ${path}`)).toBe(
      `net.ipv4.ip_forward = 1\nnet.ipv4.ip_local_port_range = ${portRange}\n`,
    );
    expect(await lab.sh(`stat -c '%a %U' ${path}`)).toBe('644 root\n');
  });

  it('changes nothing the second time; the note stays', async () => {
    expect(await operation().check(lab.context())).toEqual({ changes: [], notes: [note] });
    expect(await operation().apply(lab.context())).toEqual({ changes: [], notes: [note] });
  });

  it('puts back a file changed by hand', async () => {
    await lab.sh(`echo 'net.ipv4.ip_forward = 0' > ${path}`);
    expect((await operation().apply(lab.context())).changes).toEqual([`update ${path} (content)`]);
    expect(await lab.sh(`grep ip_forward ${path}`)).toBe('net.ipv4.ip_forward = 1\n');
  });

  it('has no note when every value is already right', async () => {
    const right = sysctlOperation({
      file: '60-wil-ops-test.conf',
      settings: { 'net.ipv4.ip_local_port_range': portRange },
    });
    expect(await right.apply(lab.context())).toEqual({ changes: [`update ${path} (content)`], notes: [] });
  });
});
