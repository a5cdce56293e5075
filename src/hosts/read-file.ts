import { shellQuote } from './become.js';
import type { RemoteHost } from './types.js';

/**
 * A file's text on a host (through sudo when the host uses it), or undefined when there is no
 * such file. Any other failure (a directory, no permission) is an error naming the host.
 */
const MISSING = 3;

export async function readHostFile(host: RemoteHost, path: string): Promise<string | undefined> {
  const quoted = shellQuote(path);
  const result = await host.exec(`if [ -e ${quoted} ]; then cat -- ${quoted}; else exit ${MISSING}; fi`);
  if (result.exitCode === MISSING) return undefined;
  if (result.exitCode !== 0) throw new Error(`${host.name}: cannot read ${path}: ${result.stderr.trim()}`);
  return result.stdout;
}
