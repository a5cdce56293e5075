import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateSpace } from '../../../src/engine/state-space.js';

/** The reserve kept beside state.json: made by wire-install, never through what someone else put there. */
describe('the run state reserve', () => {
  it('refuses a link at its name: the target keeps its content and mode, the link stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-state-space-'));
    const target = join(dir, 'not-ours');
    writeFileSync(target, 'precious\n', { mode: 0o644 });
    symlinkSync(target, join(dir, '.state-space'));
    const error = await StateSpace.keep(dir).catch((caught: unknown) => caught);
    expect((error as { what?: string }).what).toContain('.state-space');
    expect((error as { what?: string }).what).toContain('a symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(dir, '.state-space')).isSymbolicLink()).toBe(true);
  });

  it('makes a leftover of a killed run anew, 0600, at least 1 MiB of real bytes, and gives it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-state-space-'));
    writeFileSync(join(dir, '.state-space'), 'left by kill -9');
    const space = await StateSpace.keep(dir);
    const info = statSync(join(dir, '.state-space'));
    expect(info.size).toBeGreaterThanOrEqual(1024 * 1024);
    expect(info.blocks * 512).toBeGreaterThanOrEqual(1024 * 1024);
    expect(info.mode & 0o777).toBe(0o600);
    await space.release();
    expect(() => statSync(join(dir, '.state-space'))).toThrow();
  });
});
