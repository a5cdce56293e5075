import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A small stand-in for Wire's offline bundle (named as such): the layout of the real one
 * (docs/wire/install-sequences.md#offline-bundle) with tiny real tarballs, made with tar, so the checks read real files. Each
 * tarball's entries sit under a folder named like it (binaries.tar holds binaries/...), as the
 * asset host unpacks them into /opt/assets. `files` adds stand-in files to the tarballs:
 * keys are paths under /opt/assets ("binaries/minio"), values a local file to copy or content.
 */
export interface StandInFiles {
  [pathUnderAssets: string]: { from: string } | { content: string | Buffer; mode?: number };
}

export const BUNDLE_TAR_NAMES = ['debs-jammy', 'binaries', 'containers-system', 'containers-helm'];

export function standInBundle(files: StandInFiles = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'wil-bundle-'));
  mkdirSync(join(root, 'charts', 'wire-server'), { recursive: true });
  mkdirSync(join(root, 'values', 'wire-server'), { recursive: true });
  writeFileSync(join(root, 'charts', 'wire-server', 'Chart.yaml'), 'name: wire-server\nversion: 5.32.0\n');
  writeFileSync(join(root, 'values', 'wire-server', 'prod-values.example.yaml'), 'stand-in: true\n');
  const content = join(root, '.content');
  for (const name of BUNDLE_TAR_NAMES) {
    mkdirSync(join(content, name), { recursive: true });
    writeFileSync(join(content, name, 'index.txt'), `${name} stand-in\n`.repeat(200));
  }
  for (const [path, file] of Object.entries(files)) {
    const target = join(content, path);
    mkdirSync(dirname(target), { recursive: true });
    if ('from' in file) copyFileSync(file.from, target);
    else writeFileSync(target, file.content, { mode: file.mode ?? 0o644 });
  }
  for (const name of BUNDLE_TAR_NAMES)
    execFileSync('tar', ['-cf', join(root, `${name}.tar`), '-C', content, name]);
  return root;
}
