import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The real helm binary, for what works without a cluster (helm template, helm lint):
 * WIRE_INSTALL_HELM, else the cache scripts/fetch-helm.sh fills (scripts/setup.sh runs it).
 * Missing: a clear failure that says how to get it, never a silent skip.
 */
export function realHelm(): string {
  const candidates = [
    process.env.WIRE_INSTALL_HELM,
    process.env.WIRE_INSTALL_TOOLS && join(process.env.WIRE_INSTALL_TOOLS, 'helm'),
    '/var/cache/wire-install-tools/helm',
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wire-install-tools', 'helm'),
  ].filter((path): path is string => typeof path === 'string' && path !== '');
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      `the real helm binary is missing (looked at ${candidates.join(', ')}): run scripts/fetch-helm.sh, or set WIRE_INSTALL_HELM`,
    );
  return found;
}
