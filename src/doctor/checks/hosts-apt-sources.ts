import { bundleAptLine } from '../../wire/apt-sources.js';
import { errorResult, fail, pass, warn } from '../results.js';
import type { DoctorCheck, DoctorResult } from '../types.js';
import { connectedHosts } from './host-list.js';

/**
 * After bootstrap-host.apt-sources, a host's apt reads the bundle's repository and nothing
 * else (Wire's setup-offline-sources.yml; the other sources were moved to
 * /etc/apt/sources-moved-by-wire-install). An offline host whose apt still points to the
 * internet fails or hangs on every install; one without the bundle's repository cannot install
 * Wire's packages at all.
 */

export interface AptSource {
  file: string;
  uri: string;
}

const normalUri = (uri: string) => uri.replace(/\/+$/, '');

/** The URI of a one-line source (`deb [options] URI suite components`), or undefined. */
export function sourceLineUri(line: string): string | undefined {
  const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
  return match?.[1] ? normalUri(match[1]) : undefined;
}

/**
 * `grep -Hs '' /etc/apt/sources.list /etc/apt/sources.list.d/*` output (`FILE:LINE`) as the
 * active binary sources: `deb` lines of .list files, and the URIs of deb822 .sources stanzas
 * that offer `deb` and are not `Enabled: no`.
 */
export function parseAptSources(output: string): AptSource[] {
  const byFile = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const file = line.slice(0, at);
    byFile.set(file, [...(byFile.get(file) ?? []), line.slice(at + 1)]);
  }
  const sources: AptSource[] = [];
  for (const [file, lines] of byFile) {
    if (file.endsWith('.sources')) {
      for (const stanza of lines.join('\n').split(/\n\s*\n/)) {
        const field = (name: string) =>
          new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(stanza)?.[1]?.trim() ?? '';
        if (/^no$/i.test(field('Enabled')) || !/\bdeb\b/.test(field('Types'))) continue;
        for (const uri of field('URIs').split(/\s+/).filter(Boolean))
          sources.push({ file, uri: normalUri(uri) });
      }
    } else if (file.endsWith('.list') || file === '/etc/apt/sources.list') {
      for (const line of lines) {
        const uri = sourceLineUri(line);
        if (uri) sources.push({ file, uri });
      }
    }
  }
  return sources;
}

const APPLY_FIX = 'wire-install apply --only bootstrap-host.apt-sources';

/** The verdict for one host: the bundle's repository present, and alone. */
export function judgeAptSources(hostName: string, bundleLine: string, sources: AptSource[]): DoctorResult {
  const bundleUri = sourceLineUri(bundleLine);
  const evidence = [
    `expected: ${bundleLine}`,
    ...(sources.length > 0
      ? sources.map((source) => `found: ${source.uri} (${source.file})`)
      : ['found: no apt source']),
  ];
  const details = { host: hostName, evidence };
  const others = sources.filter((source) => source.uri !== bundleUri);
  if (!sources.some((source) => source.uri === bundleUri))
    return fail(
      'hosts.apt-sources',
      `${hostName}'s apt sources do not include the bundle's repository${others.length > 0 ? ' (only other repositories, e.g. the internet)' : ''}`,
      `${APPLY_FIX} (writes /etc/apt/sources.list.d/wire-bundle.list); with bundle.aptRepository, check that line in the inventory`,
      details,
    );
  if (others.length > 0)
    return warn(
      'hosts.apt-sources',
      `${hostName}'s apt reads other repositories besides the bundle's: ${[...new Set(others.map((source) => source.uri))].join(', ')}`,
      `${APPLY_FIX} moves them to /etc/apt/sources-moved-by-wire-install (an offline host fails on them at every apt-get update)`,
      details,
    );
  return pass('hosts.apt-sources', `${hostName}'s apt reads the bundle's repository only`, details);
}

export const aptSourcesCheck: DoctorCheck = {
  id: 'hosts.apt-sources',
  group: 'hosts',
  title: "Each host's apt sources point to the bundle's repository",
  needsHosts: true,
  skipReason: (context) =>
    context.installed.succeededSteps.has('bootstrap-host.apt-sources')
      ? undefined
      : 'bootstrap-host.apt-sources has not run yet: the hosts still use their own apt sources',
  run: async (context) =>
    Promise.all(
      connectedHosts(context).map(async ({ host, remote, facts }) => {
        try {
          const result = await remote.exec("grep -Hs '' /etc/apt/sources.list /etc/apt/sources.list.d/*", {
            timeoutMs: 20_000,
            signal: context.signal,
          });
          const line = bundleAptLine(context.inventory, facts?.os.versionId ?? '');
          return judgeAptSources(host.name, line, parseAptSources(result.stdout));
        } catch (error) {
          return errorResult(
            'hosts.apt-sources',
            `reading the apt sources of ${host.name}`,
            error,
            host.name,
          );
        }
      }),
    ),
};
