import { describe, expect, it } from 'vitest';
import { inputError } from '../../../src/core/errors.js';
import { createMemoryOutput, wantsColor } from '../../../src/core/output.js';
import { reportError } from '../../../src/core/report-error.js';

const tty = { isTTY: true, write: () => true } as unknown as NodeJS.WritableStream & { isTTY: boolean };

describe('colour', () => {
  it('is on for a terminal and off for --no-color, NO_COLOR, --json and pipes', () => {
    expect(wantsColor({ stdout: tty, env: {} })).toBe(true);
    expect(wantsColor({ stdout: tty, env: {}, color: false })).toBe(false);
    expect(wantsColor({ stdout: tty, env: { NO_COLOR: '1' } })).toBe(false);
    expect(wantsColor({ stdout: tty, env: {}, json: true })).toBe(false);
    expect(wantsColor({ stdout: { ...tty, isTTY: false }, env: {} })).toBe(false);
    expect(wantsColor({ stdout: { ...tty, isTTY: false }, env: { FORCE_COLOR: '1' } })).toBe(true);
  });
});

describe('reportError', () => {
  it('prints what failed, the evidence and the next step, and returns its exit code', () => {
    const output = createMemoryOutput({ env: {} });
    const code = reportError(
      inputError({ what: 'inventory.yaml:3:1: bad', evidence: ['line one'], next: 'fix it' }),
      output,
    );
    expect(code).toBe(2);
    expect(output.stderrText()).toBe('error: inventory.yaml:3:1: bad\n  line one\nnext: fix it\n');
    expect(output.stdoutText()).toBe('');
  });

  it('gives an unexpected error one line, and its stack only with --verbose', () => {
    const quiet = createMemoryOutput({ env: {} });
    expect(reportError(new Error('boom'), quiet)).toBe(1);
    expect(quiet.stderrText()).toContain('internal error: boom');
    expect(quiet.stderrText()).not.toMatch(/\n\s+at /);
    const verbose = createMemoryOutput({ env: {}, verbose: true });
    reportError(new Error('boom'), verbose);
    expect(verbose.stderrText()).toMatch(/\n\s+at /);
  });

  it('is one JSON record with --json', () => {
    const output = createMemoryOutput({ env: {}, json: true });
    reportError(inputError({ what: 'bad', next: 'fix it' }), output);
    expect(JSON.parse(output.stdoutText())).toMatchObject({
      type: 'error',
      error: 'bad',
      next: 'fix it',
      exitCode: 2,
    });
    expect(output.stderrText()).toBe('');
  });
});
