import { describe, expect, it } from 'vitest';
import { sysctlOperation } from '../../../src/operations/sysctl.js';
import { fakeContext, fakeHost } from './fake-host.js';

/** Where /proc/sys is writable (not in the lab): only differing values are written, each a change. */

const settings = { 'net.ipv4.ip_forward': '1', 'net.ipv4.ip_local_port_range': '32768 60999' };
const host = () =>
  fakeHost([
    [/^if \[ -f '\/etc\/sysctl.d\/60-wire.conf' \]/, { stdout: '' }],
    // applyFile's one round trip: the inspection found no file, and it was written.
    [/^sh -c /, { stdout: 'wire-install-inspected\n' }],
    [/^sysctl -n -- 'net.ipv4.ip_forward' 'net.ipv4.ip_local_port_range'$/, { stdout: '0\n32768\t60999\n' }],
    [/^sysctl -w /, {}],
  ]);

describe('sysctlOperation', () => {
  it('plans the file and the differing value, writing nothing', async () => {
    const fake = host();
    const outcome = await sysctlOperation({ file: '60-wire.conf', settings }).check(fakeContext(fake));
    expect(outcome).toEqual({
      changes: ['create /etc/sysctl.d/60-wire.conf (new file)', 'set net.ipv4.ip_forward 0 -> 1'],
      notes: [],
    });
    expect(
      fake.commands.some((command) => command.startsWith('sysctl -w') || command.startsWith('sh -c')),
    ).toBe(false);
  });

  it('writes only the value that differs (multi-value settings compared by words)', async () => {
    const fake = host();
    await sysctlOperation({ file: '60-wire.conf', settings }).apply(fakeContext(fake));
    expect(fake.commands.filter((command) => command.startsWith('sysctl -w'))).toEqual([
      "sysctl -w 'net.ipv4.ip_forward=1'",
    ]);
  });

  it('refuses bad file names and keys', () => {
    expect(() => sysctlOperation({ file: '../x.conf', settings })).toThrow(/bad sysctl file name/);
    expect(() => sysctlOperation({ file: '60-wire.conf', settings: { '-w x': '1' } })).toThrow(
      /bad sysctl setting/,
    );
    expect(() => sysctlOperation({ file: '60-wire.conf', settings: { a: '1\nb=2' } })).toThrow(
      /bad sysctl setting/,
    );
    expect(() => sysctlOperation({ file: '60-wire.conf', settings: {} })).toThrow(/no sysctl settings/);
  });
});
