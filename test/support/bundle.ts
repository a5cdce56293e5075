import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small stand-in for Wire's offline bundle (named as such): the layout of the real one
 * (FACTS 1e) with tiny real tarballs, made with tar, so the checks read real files.
 */
export function standInBundle(): string {
  const root = mkdtempSync(join(tmpdir(), 'wil-bundle-'));
  mkdirSync(join(root, 'charts', 'wire-server'), { recursive: true });
  mkdirSync(join(root, 'values', 'wire-server'), { recursive: true });
  writeFileSync(join(root, 'charts', 'wire-server', 'Chart.yaml'), 'name: wire-server\nversion: 5.32.0\n');
  writeFileSync(join(root, 'values', 'wire-server', 'prod-values.example.yaml'), 'stand-in: true\n');
  for (const name of ['debs-jammy', 'binaries', 'containers-system', 'containers-helm']) {
    const content = join(root, `${name}.content`);
    mkdirSync(content);
    writeFileSync(join(content, 'index.txt'), `${name} stand-in\n`.repeat(200));
    execFileSync('tar', ['-cf', join(root, `${name}.tar`), '-C', content, '.']);
  }
  return root;
}
