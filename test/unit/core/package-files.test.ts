import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageFilePath, packageFileText, runsAsSingleExecutable } from '../../../src/core/package-files.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe("the package's own files (src/core/package-files.ts)", () => {
  it('are the files in the package folder outside the single executable', () => {
    expect(runsAsSingleExecutable()).toBe(false);
    expect(packageFilePath('package.json')).toBe(join(ROOT, 'package.json'));
    expect(packageFileText('templates/chrony/chrony.conf')).toBe(
      readFileSync(join(ROOT, 'templates/chrony/chrony.conf'), 'utf8'),
    );
  });

  it('are located from one module only, so the single executable finds every one among its assets', () => {
    // A file that finds package files from its own location would read from disk in the single
    // executable too, where there is no package folder (test/cli/release.test.ts runs it).
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    const locating = sources.filter((file) =>
      /import\.meta\.(url|dirname|filename)|__dirname|__filename/.test(
        readFileSync(join(ROOT, 'src', file), 'utf8'),
      ),
    );
    expect(locating).toEqual(['core/package-files.ts']);
  });
});
