import { describe, expect, it } from 'vitest';
import { aptPackageOperation, aptRepositoryOperation } from '../../../src/operations/apt.js';
import { CommandFailedError } from '../../../src/operations/run.js';
import { type Answer, fakeContext, fakeHost } from './fake-host.js';

const withStatus = (answer: Answer) => fakeHost([[/^dpkg-query -W/, answer]]);

describe('aptPackageOperation', () => {
  it('treats a removed package whose configuration is kept as not installed', async () => {
    const host = withStatus({ stdout: 'deinstall ok config-files 1.0' });
    expect((await aptPackageOperation({ name: 'nginx' }).check(fakeContext(host))).changes).toEqual([
      'install nginx (not installed)',
    ]);
  });

  it('treats a package dpkg never heard of as not installed', async () => {
    const host = withStatus({ exitCode: 1, stderr: 'dpkg-query: no packages found matching nginx\n' });
    expect(
      (await aptPackageOperation({ name: 'nginx', version: '1.2' }).check(fakeContext(host))).changes,
    ).toEqual(['install nginx 1.2']);
  });

  it('is current when installed without a wanted version', async () => {
    const host = withStatus({ stdout: 'install ok installed 1.22.1-9' });
    expect((await aptPackageOperation({ name: 'nginx' }).apply(fakeContext(host))).changes).toEqual([]);
    expect(host.commands).toHaveLength(1);
  });

  it('fails on any other dpkg-query error instead of installing', async () => {
    const host = withStatus({ exitCode: 2, stderr: 'dpkg-query: error: database is locked' });
    await expect(aptPackageOperation({ name: 'nginx' }).check(fakeContext(host))).rejects.toBeInstanceOf(
      CommandFailedError,
    );
  });
});

describe('aptRepositoryOperation', () => {
  it('refuses a name that is not a file name', () => {
    expect(() => aptRepositoryOperation({ name: '../sources', line: 'deb x y' })).toThrow(
      /bad apt repository name/,
    );
  });
});
