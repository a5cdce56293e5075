import { describe, expect, it } from 'vitest';
import { createMemoryOutput } from '../../../src/core/output.js';
import { countResults, renderReport } from '../../../src/doctor/report.js';
import { fail, pass, warn } from '../../../src/doctor/results.js';
import type { DoctorReport, DoctorResult } from '../../../src/doctor/types.js';

const report = (results: DoctorResult[]): DoctorReport => ({
  version: 1,
  inventory: 'inventory.yaml',
  domain: 'wire.example.com',
  startedAt: '2026-11-23T16:00:00.000Z',
  durationMs: 1234,
  groups: ['hosts'],
  counts: countResults(results),
  results,
});

const osWarning = (host: string) =>
  warn('hosts.os', `${host} runs Debian 12`, `install Ubuntu 22.04 on ${host}`, {
    host,
    evidence: ['measured: debian 12'],
  });

const text = (results: DoctorResult[], verbose = false) => {
  const output = createMemoryOutput({ verbose });
  renderReport(report(results), output);
  return output.stdoutText();
};

describe("doctor's text report", () => {
  it('shows the same finding on several hosts once, naming the hosts; problems before passes', () => {
    const shown = text([
      pass('hosts.sudo', 'root through sudo', { host: 'kubenode1' }),
      pass('hosts.sudo', 'root through sudo', { host: 'kubenode10' }),
      osWarning('kubenode1'),
      osWarning('kubenode10'),
      fail('hosts.clock-skew', "kubenode10's clock is 300 s off", 'set the clock of kubenode10', {
        host: 'kubenode10',
        evidence: ['measured: 300 s'],
      }),
    ]);
    expect(shown.split('\n')).toEqual([
      'hosts',
      "  FAIL  hosts.clock-skew  kubenode10             kubenode10's clock is 300 s off",
      '        measured: 300 s',
      '        fix: set the clock of kubenode10',
      '  WARN  hosts.os          kubenode1, kubenode10  <host> runs Debian 12',
      '        measured: debian 12',
      '        fix: install Ubuntu 22.04 on <host>',
      '        on: kubenode1, kubenode10',
      '  PASS  hosts.sudo        kubenode1, kubenode10  passed on each',
      '',
      'doctor: 1 failed (2 pass, 2 warn, 1 fail, 0 skip) in 1.2 s',
      '',
    ]);
  });

  it('keeps findings that differ apart, and --verbose shows every host with the evidence of passes', () => {
    const different = text([
      osWarning('kubenode1'),
      warn('hosts.os', 'kubenode2 runs CentOS 7', 'install Ubuntu 22.04 on kubenode2', { host: 'kubenode2' }),
    ]);
    expect(different.match(/WARN/g)).toHaveLength(2);
    const verbose = text(
      [
        pass('hosts.sudo', 'kubenode1: uid 0', { host: 'kubenode1', evidence: ['id -u: 0'] }),
        pass('hosts.sudo', 'kubenode2: uid 0', { host: 'kubenode2', evidence: ['id -u: 0'] }),
      ],
      true,
    );
    expect(verbose).toContain('kubenode1: uid 0');
    expect(verbose).toContain('kubenode2: uid 0');
    expect(verbose.match(/id -u: 0/g)).toHaveLength(2);
  });
});
