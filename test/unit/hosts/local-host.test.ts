import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import { readHostFile } from '../../../src/hosts/read-file.js';
import { wireInstallFailure } from '../../support/failure.js';

/** The admin host: real processes on this machine, behind the same interface as an SSH host. */
describe('the admin host (local commands)', () => {
  const host = localHost();

  it('runs a command with sh and returns stdout, stderr and the exit code', async () => {
    const result = await host.exec('echo out; echo err >&2; exit 4');
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 4 });
  });

  it('writes stdin to the command (how secrets travel), not to argv', async () => {
    const result = await host.exec('read -r secret; printf "%s chars\\n" "$(printf %s "$secret" | wc -c)"', {
      stdin: 'hunter2\n',
    });
    expect(result.stdout).toBe('7 chars\n');
  });

  it('stops a command at its timeout, with everything it started, and fails', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'wil-local-')), 'marker');
    const error = await wireInstallFailure(host.exec(`sleep 1 && touch ${marker}`, { timeoutMs: 100 }));
    expect(error.what).toBe('admin host: a command did not finish within 100 ms and was stopped');
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(existsSync(marker)).toBe(false);
  });

  it('cancels a command when its signal is aborted', async () => {
    const controller = new AbortController();
    const running = host.exec('sleep 5', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await wireInstallFailure(running);
    expect(error.what).toBe('admin host: a command was cancelled');
  });

  it('reports a command ended by a signal with exit code 255 and says which signal', async () => {
    const result = await host.exec('kill -TERM $$');
    expect(result.exitCode).toBe(255);
    expect(result.stderr).toContain('ended by signal SIGTERM');
  });

  it('puts and reads files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-local-'));
    writeFileSync(join(dir, 'a'), 'content\n');
    await host.putFile?.(join(dir, 'a'), join(dir, 'b'));
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('content\n');
    expect(await readHostFile(host, join(dir, 'b'))).toBe('content\n');
    expect(await readHostFile(host, join(dir, 'missing'))).toBeUndefined();
    await expect(readHostFile(host, dir)).rejects.toThrow(`admin host: cannot read ${dir}`);
  });
});
