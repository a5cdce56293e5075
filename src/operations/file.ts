import { createHash } from 'node:crypto';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Operation } from './types.js';

/**
 * A file on a host, idempotent by construction: `check` says what would change (from the remote
 * checksum, mode and owner), `apply` writes only when something differs. The content travels on
 * stdin into a temporary file beside the target, then is renamed over it: never on a command
 * line, never half-written.
 */
export interface FileSpec {
  path: string;
  content: string;
  /** e.g. 0o644; secrets 0o600. */
  mode: number;
  owner?: string;
  group?: string;
}

export interface FileChange {
  path: string;
  action: 'create' | 'update' | 'none';
  /** What differs, for the plan: content, mode, owner. */
  differences: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const octal = (mode: number) => mode.toString(8).padStart(3, '0');

/** Prints the file's mode, owner, group and checksum, one line for the first three and one for the last; nothing when there is no file. */
const inspect = (path: string) =>
  `if [ -f ${path} ]; then stat -c '%a %U %G' ${path} && sha256sum ${path} | cut -d' ' -f1; fi`;

/** What differs between the file as inspect() printed it and the spec. */
function changeFrom(spec: FileSpec, printed: string): FileChange {
  const [statLine, digest] = printed.trim().split('\n');
  if (!statLine) return { path: spec.path, action: 'create', differences: ['new file'] };
  const [mode, owner, group] = statLine.split(' ');
  const differences: string[] = [];
  if (digest !== sha256(spec.content)) differences.push('content');
  if (mode !== octal(spec.mode)) differences.push(`mode ${mode} -> ${octal(spec.mode)}`);
  if (spec.owner && owner !== spec.owner) differences.push(`owner ${owner} -> ${spec.owner}`);
  if (spec.group && group !== spec.group) differences.push(`group ${group} -> ${spec.group}`);
  return { path: spec.path, action: differences.length > 0 ? 'update' : 'none', differences };
}

export async function checkFile(host: RemoteHost, spec: FileSpec): Promise<FileChange> {
  const result = await host.exec(inspect(shellQuote(spec.path)));
  if (result.exitCode !== 0)
    throw new Error(`${host.name}: cannot inspect ${spec.path}: ${result.stderr.trim()}`);
  return changeFrom(spec, result.stdout);
}

/** Writes the content (stdin) beside the file, sets mode and owner, and renames it over the file. */
function writeScript(spec: FileSpec): string {
  const owner = spec.owner ? `${spec.owner}${spec.group ? `:${spec.group}` : ''}` : undefined;
  return [
    'set -e',
    `tmp=$(mktemp ${shellQuote(`${spec.path}.wire-install.XXXXXX`)})`,
    'trap \'rm -f "$tmp"\' EXIT',
    'cat > "$tmp"',
    `chmod ${octal(spec.mode)} "$tmp"`,
    ...(owner ? [`chown ${shellQuote(owner)} "$tmp"`] : []),
    `mv -f "$tmp" ${shellQuote(spec.path)}`,
    'trap - EXIT',
  ].join('\n');
}

/** Content up to this size travels with the inspection (one round trip), even when it is not needed. */
const ONE_TRIP_BYTES = 64 * 1024;
/** The line between the inspection's output and the write's, in applyFile's one round trip. */
const INSPECTED = 'wire-install-inspected';

export async function applyFile(host: RemoteHost, spec: FileSpec): Promise<FileChange> {
  if (Buffer.byteLength(spec.content) > ONE_TRIP_BYTES) {
    const change = await checkFile(host, spec);
    if (change.action !== 'none') await writeFile(host, spec);
    return change;
  }
  // One round trip: the inspection (printed as checkFile's), then the write unless the file is
  // as the spec says (the test changeFrom makes, in the shell). The content rides on stdin either way.
  const path = shellQuote(spec.path);
  const same = [
    '[ -n "$st" ]',
    'set -f',
    'set -- $st',
    `[ "$d" = ${sha256(spec.content)} ]`,
    `[ "$1" = ${octal(spec.mode)} ]`,
    ...(spec.owner ? [`[ "$2" = ${shellQuote(spec.owner)} ]`] : []),
    ...(spec.group ? [`[ "$3" = ${shellQuote(spec.group)} ]`] : []),
  ].join(' && ');
  const script = [
    'st= d=',
    `if [ -f ${path} ]; then`,
    `  st=$(stat -c '%a %U %G' ${path}) && d=$(sha256sum ${path}) || exit 1`,
    // sha256sum's "<checksum>  <path>", cut at the first space (cut -d' ' -f1 in checkFile).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${...}, not a placeholder
    '  d=${d%% *}',
    `  printf '%s\\n%s\\n' "$st" "$d"`,
    'fi',
    `echo ${INSPECTED}`,
    `if ${same}; then exit 0; fi`,
    writeScript(spec),
  ].join('\n');
  const result = await host.exec(`sh -c ${shellQuote(script)}`, { stdin: spec.content });
  const marker = result.stdout.indexOf(`${INSPECTED}\n`);
  if (marker < 0) throw new Error(`${host.name}: cannot inspect ${spec.path}: ${result.stderr.trim()}`);
  if (result.exitCode !== 0)
    throw new Error(`${host.name}: cannot write ${spec.path}: ${result.stderr.trim()}`);
  return changeFrom(spec, result.stdout.slice(0, marker));
}

async function writeFile(host: RemoteHost, spec: FileSpec): Promise<void> {
  const result = await host.exec(`sh -c ${shellQuote(writeScript(spec))}`, { stdin: spec.content });
  if (result.exitCode !== 0)
    throw new Error(`${host.name}: cannot write ${spec.path}: ${result.stderr.trim()}`);
}

const describeChange = (change: FileChange): string[] =>
  change.action === 'none' ? [] : [`${change.action} ${change.path} (${change.differences.join(', ')})`];

/**
 * The file as an Operation of a step. `template` names where the content came from (a file
 * under templates/), shown in the plan; the content itself is fingerprinted by checksum only.
 */
export function fileOperation(spec: FileSpec, template?: string): Operation {
  return {
    kind: template ? 'template' : 'file',
    target: spec.path,
    inputs: {
      path: spec.path,
      sha256: sha256(spec.content),
      mode: octal(spec.mode),
      owner: spec.owner,
      group: spec.group,
      template,
    },
    async check(context) {
      const change = await checkFile(context.host, spec);
      if (change.action !== 'none') context.changedPaths.add(spec.path);
      return { changes: describeChange(change), notes: [] };
    },
    async apply(context) {
      const change = await applyFile(context.host, spec);
      if (change.action !== 'none') context.changedPaths.add(spec.path);
      return { changes: describeChange(change), notes: [] };
    },
  };
}
