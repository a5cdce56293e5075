import { describe, expect, it } from 'vitest';
import { commandOperation } from '../../../src/operations/command.js';
import { fakeContext, fakeHost } from './fake-host.js';

describe('commandOperation', () => {
  it('refuses a command without a guard: it would run on every apply', () => {
    expect(() => commandOperation({ name: 'init', command: 'true' })).toThrow(/needs "creates" or "unless"/);
  });

  it('refuses an empty command', () => {
    expect(() => commandOperation({ name: 'init', command: ' ', creates: '/x' })).toThrow(/empty/);
  });

  it('fingerprints the command and its probe by checksum only', () => {
    const operation = commandOperation({
      name: 'init',
      command: 'init-db --password s3cret',
      unless: 'check-db --password s3cret',
    });
    expect(JSON.stringify(operation.inputs)).not.toContain('s3cret');
    const other = commandOperation({ name: 'init', command: 'init-db --password other', unless: 'x' });
    expect(other.inputs).not.toEqual(operation.inputs);
  });

  it('does not run the probe when the created path exists', async () => {
    const host = fakeHost([[/^if \[ -e '\/done' \]/, { stdout: 'yes\n' }]]);
    const operation = commandOperation({
      name: 'init',
      command: 'touch /done',
      creates: '/done',
      unless: 'false',
    });
    expect(await operation.apply(fakeContext(host))).toEqual({ changes: [], notes: [] });
    expect(host.commands).toHaveLength(1);
  });
});
