import type { Output } from './core/output.js';
import { NEWEST_KNOWN_VERSION, VERSION_NOTES } from './upgrade/versions.js';

/**
 * `wire-install --version`: this release, the Node.js it runs on (inside the single executable
 * or the one on PATH), and which Wire releases it knows upgrade notes for, which is what
 * decides whether it can upgrade an installation safely (docs/upgrade.md).
 */
export interface VersionInfo {
  wireInstall: string;
  node: string;
  platform: string;
  upgradeNotes: { from: string; to: string; newestKnown: string };
}

export function versionInfo(version: string): VersionInfo {
  const versions = VERSION_NOTES.map((notes) => notes.version);
  return {
    wireInstall: version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    upgradeNotes: {
      from: versions[0] ?? NEWEST_KNOWN_VERSION,
      to: versions[versions.length - 1] ?? NEWEST_KNOWN_VERSION,
      newestKnown: NEWEST_KNOWN_VERSION,
    },
  };
}

export function printVersion(version: string, output: Output): void {
  const info = versionInfo(version);
  if (output.json) {
    output.data({ type: 'version', ...info });
    return;
  }
  const { from, to, newestKnown } = info.upgradeNotes;
  output.line(`wire-install ${info.wireInstall}`);
  output.line(`Node.js ${info.node} (${info.platform})`);
  output.line(
    `Wire upgrade notes: ${from} to ${to}; upgrades to Wire ${newestKnown} at most (a newer target is refused)`,
  );
}
