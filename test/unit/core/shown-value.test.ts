import { describe, expect, it } from 'vitest';
import { createMemoryOutput } from '../../../src/core/output.js';
import { cutLongRuns, escapeForTerminal, shownText, shownValue } from '../../../src/core/shown-value.js';

describe('values shown in messages', () => {
  it('a long value is cut to 60 characters with its full size', () => {
    const value = 'a'.repeat(50 * 1024 * 1024);
    const shown = shownValue(value);
    expect(shown).toBe(`"${'a'.repeat(60)}…" (52428800 bytes)`);
  });

  it('short values are quoted whole; objects as JSON, cut too', () => {
    expect(shownValue('wire.example.com')).toBe('"wire.example.com"');
    expect(shownValue(16)).toBe('16');
    expect(shownValue({ a: 'x'.repeat(100) }).length).toBeLessThanOrEqual(61);
  });

  it('control characters are escaped, bidirectional overrides too', () => {
    expect(shownValue('ok\u001b]0;pwned\u0007\r\n')).toBe('"ok\\e]0;pwned\\x07\\r\\n"');
    expect(shownValue('a\u202eb')).toBe('"a\\u202eb"');
  });
});

describe('the net for whole messages', () => {
  it('cuts a run of 200 characters without a space (a value), never a path or a sentence', () => {
    const path = `/srv/${'deep/'.repeat(30)}inventory.yaml`;
    expect(cutLongRuns(`${path}: found address ${'1'.repeat(300_000)} where an IPv4 goes`)).toBe(
      `${path}: found address ${'1'.repeat(60)}… (300000 bytes) where an IPv4 goes`,
    );
    expect(shownText('kubenode3')).toBe('kubenode3');
    expect(shownText('h'.repeat(100))).toBe(`${'h'.repeat(60)}… (100 bytes)`);
  });
});

describe('the Output net', () => {
  it('lets colours, newlines and tabs through and escapes every other control character', () => {
    expect(escapeForTerminal('\u001b[31merror:\u001b[39m x\ty\nz\u001b[2J\u001b]0;t\u0007')).toBe(
      '\u001b[31merror:\u001b[39m x\ty\nz\\e[2J\\e]0;t\\x07',
    );
    const output = createMemoryOutput();
    output.line('step failed: \u001b[2Jgone\rover');
    output.errorLine('\u0007bell');
    expect(output.stdoutText()).toBe('step failed: \\e[2Jgone\\rover\n');
    expect(output.stderrText()).toBe('\\x07bell\n');
  });
});
