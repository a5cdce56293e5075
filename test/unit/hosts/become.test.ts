import { describe, expect, it } from 'vitest';
import { shellQuote, wrapForBecome } from '../../../src/hosts/become.js';

describe('wrapForBecome', () => {
  it('leaves the command alone without become', () => {
    expect(wrapForBecome('id -u', {}, { enabled: false })).toEqual({ command: 'id -u', options: {} });
  });

  it('uses sudo -n without a password, so it fails instead of waiting at a prompt', () => {
    expect(wrapForBecome('id -u', {}, { enabled: true }).command).toBe("sudo -n -- sh -c 'id -u'");
  });

  it('puts the password first on stdin and never on the command line', () => {
    const wrapped = wrapForBecome("echo 'hi'", { stdin: 'rest\n' }, { enabled: true, password: 's3cret' });
    expect(wrapped.command).not.toContain('s3cret');
    expect(wrapped.command).toBe(`sudo -S -p '' -- sh -c ${shellQuote("echo 'hi'")}`);
    expect(wrapped.options.stdin).toBe('s3cret\nrest\n');
  });

  it('quotes for sh, including single quotes', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});
