import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { inputError } from '../core/errors.js';
import { type KnownHostEntry, parseKnownHosts } from './known-hosts.js';

/**
 * The user's OpenSSH client configuration (~/.ssh/config), read so a host reachable with plain
 * `ssh <host>` is reachable by wire-install the same way.
 *
 * Precedence, for every setting: a value in the inventory wins over ssh_config, and ssh_config
 * wins over wire-install's defaults (port 22, user root, the ssh-agent, ~/.ssh/known_hosts).
 * Within ssh_config, OpenSSH's rule: the first value obtained for a keyword is used, so
 * specific `Host` blocks belong above general ones (`Host *` last).
 *
 * Read: `Host` blocks (patterns with `*` and `?`, `!` negation, matched case-insensitively
 * against the alias as given, not against HostName), `Include` (relative paths from ~/.ssh,
 * `*`/`?` wildcards in the last path component only), and the keywords HostName, Port, User,
 * IdentityFile, ProxyJump, ProxyCommand, UserKnownHostsFile, GlobalKnownHostsFile,
 * StrictHostKeyChecking. Other keywords are ignored.
 *
 * Not read: `Match` blocks are not evaluated (their settings are skipped and a note says so),
 * and the system-wide /etc/ssh/ssh_config is not read.
 */

export interface JumpHost {
  /** As written: an alias (to resolve through ssh_config in turn) or an address. */
  host: string;
  user?: string;
  port?: number;
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface ResolvedSshConfig {
  /** The address to connect to (`%h` replaced by the alias); undefined: the alias itself. */
  hostName?: string;
  port?: number;
  user?: string;
  /** Every IdentityFile that applies, in order (OpenSSH tries them all); `~` expanded. */
  identityFiles: string[];
  /**
   * The first hop of ProxyJump (the one this machine connects to); a `ProxyJump none` met
   * first leaves it undefined. Further hops are not followed (a note says so).
   */
  proxyJump?: JumpHost;
  /** Set when ProxyCommand applies, which wire-install cannot run: the caller should say so. */
  proxyCommand?: string;
  /** UserKnownHostsFile, `~` expanded; `[]` for `none`; undefined when not set. */
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** What was in the file but not applied (Match blocks, extra jump hops), to show as warnings. */
  notes: string[];
}

export interface ResolveOptions {
  /** The file's name, for messages. */
  source?: string;
  /**
   * Texts of the files an Include names (an expanded, absolute path, possibly with wildcards in
   * the last component), in the order OpenSSH reads them. Without it Includes are skipped.
   */
  readInclude?: (path: string) => readonly string[];
}

/** OpenSSH's limit on nested Includes. */
const MAX_INCLUDE_DEPTH = 16;

export const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
export const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/** Splits a line into keyword and arguments: `Key value`, `Key=value`, quotes, `#` comments. */
function tokenize(line: string): { keyword: string; args: string[] } | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+|$)(.*)$/.exec(line);
  if (!match?.[1]) return undefined;
  const args: string[] = [];
  const rest = match[2] ?? '';
  const word = /\s*(?:"([^"]*)"|'([^']*)'|(\S+))/gy;
  for (let found = word.exec(rest); found; found = word.exec(rest)) {
    const quoted = found[1] ?? found[2];
    if (quoted === undefined && found[3]?.startsWith('#')) break;
    args.push(quoted ?? found[3] ?? '');
  }
  return { keyword: match[1].toLowerCase(), args };
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one. */
export function matchPattern(text: string, pattern: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(text);
}

/** A `Host` line: some positive pattern matches and no negated one does. */
export function hostMatches(alias: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchPattern(alias, pattern.slice(1))) return false;
    } else if (matchPattern(alias, pattern)) {
      matched = true;
    }
  }
  return matched;
}

/** `~` and the tokens usable in file names: `%d` (home), `%h` (host), `%%`. */
function expandPath(value: string, home: string, host: string): string {
  const tilde = value === '~' ? home : value.startsWith('~/') ? join(home, value.slice(2)) : value;
  return tilde.replace(/%([%dh])/g, (_, token: string) =>
    token === '%' ? '%' : token === 'd' ? home : host,
  );
}

/** Include paths: `~` expanded, relative ones from ~/.ssh (the user's configuration directory). */
function includePath(value: string, home: string): string {
  const expanded = expandPath(value, home, '');
  return isAbsolute(expanded) ? expanded : join(home, '.ssh', expanded);
}

/** One ProxyJump hop: `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseJumpHost(text: string): JumpHost | undefined {
  const plain = text.startsWith('ssh://') ? text.slice('ssh://'.length).replace(/\/$/, '') : text;
  const at = plain.lastIndexOf('@');
  const user = at >= 0 ? plain.slice(0, at) : undefined;
  const hostPort = at >= 0 ? plain.slice(at + 1) : plain;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  const simple = /^([^:[\]]+)(?::(\d+))?$/.exec(hostPort);
  const parts = bracketed ?? simple;
  if (!parts?.[1] || user === '') return undefined;
  const port = parts[2] === undefined ? undefined : Number(parts[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { host: parts[1], ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

const STRICT: Record<string, StrictHostKeyChecking> = {
  yes: 'yes',
  true: 'yes',
  no: 'no',
  off: 'no',
  false: 'no',
  ask: 'ask',
  'accept-new': 'accept-new',
};

/**
 * The settings ssh_config gives `hostAlias` (what the user would type after `ssh`), OpenSSH's
 * way: lines before the first Host apply to every host, a Host block applies when its patterns
 * match, and the first value obtained for a keyword wins (IdentityFile accumulates).
 */
export function resolveSshConfig(
  text: string,
  hostAlias: string,
  home: string,
  options: ResolveOptions = {},
): ResolvedSshConfig {
  const result: ResolvedSshConfig = { identityFiles: [], notes: [] };
  let proxySet = false;
  const source = options.source ?? 'ssh_config';

  const readText = (fileText: string, fileSource: string, depth: number): void => {
    let active = true;
    let inMatch = false;
    const lines = fileText.split(/\r?\n/);
    for (const [index, line] of lines.entries()) {
      const parsed = tokenize(line);
      if (!parsed) continue;
      const { keyword, args } = parsed;
      const where = `${fileSource} line ${index + 1}`;
      if (keyword === 'host') {
        inMatch = false;
        active = hostMatches(hostAlias, args);
        continue;
      }
      if (keyword === 'match') {
        inMatch = true;
        active = false;
        result.notes.push(`${where}: Match blocks are not evaluated; their settings are not applied`);
        continue;
      }
      if (keyword === 'include') {
        if (!active || !options.readInclude) continue;
        if (depth >= MAX_INCLUDE_DEPTH) {
          throw inputError({
            what: `${where}: Includes nest deeper than ${MAX_INCLUDE_DEPTH} levels`,
            next: 'check the ssh_config Include lines for a loop',
          });
        }
        for (const arg of args) {
          const path = includePath(arg, home);
          for (const included of options.readInclude(path)) readText(included, path, depth + 1);
        }
        // Host lines in an included file do not outlast it.
        active = true;
        continue;
      }
      if (!active || inMatch || args.length === 0) continue;
      const value = args[0] ?? '';
      switch (keyword) {
        case 'hostname':
          result.hostName ??= value.replace(/%([%h])/g, (_, token: string) =>
            token === '%' ? '%' : hostAlias,
          );
          break;
        case 'port': {
          if (result.port !== undefined) break;
          const port = Number(value);
          if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
            throw inputError({
              what: `${where}: Port ${value} is not a port number`,
              next: `correct the Port line in ${source}`,
            });
          }
          result.port = port;
          break;
        }
        case 'user':
          result.user ??= value;
          break;
        case 'identityfile':
          result.identityFiles.push(expandPath(value, home, result.hostName ?? hostAlias));
          break;
        case 'proxyjump': {
          if (proxySet) break;
          proxySet = true;
          if (value.toLowerCase() === 'none') break;
          const [first = '', ...rest] = value.split(',');
          const hop = parseJumpHost(first);
          if (!hop) {
            throw inputError({
              what: `${where}: ProxyJump ${first} is not [user@]host[:port]`,
              next: `correct the ProxyJump line in ${source}`,
            });
          }
          result.proxyJump = hop;
          if (rest.length > 0) {
            result.notes.push(
              `${where}: only the first ProxyJump hop (${first}) is used; ${rest.join(', ')} not followed`,
            );
          }
          break;
        }
        case 'proxycommand':
          if (proxySet) break;
          proxySet = true;
          if (value.toLowerCase() !== 'none') result.proxyCommand = args.join(' ');
          break;
        case 'userknownhostsfile':
          result.userKnownHostsFiles ??=
            value.toLowerCase() === 'none'
              ? []
              : args.map((file) => expandPath(file, home, result.hostName ?? hostAlias));
          break;
        case 'globalknownhostsfile':
          result.globalKnownHostsFiles ??=
            value.toLowerCase() === 'none'
              ? []
              : args.map((file) => expandPath(file, home, result.hostName ?? hostAlias));
          break;
        case 'stricthostkeychecking': {
          const strict = STRICT[value.toLowerCase()];
          if (strict === undefined) {
            throw inputError({
              what: `${where}: StrictHostKeyChecking ${value} is not one of yes, no, ask, accept-new`,
              next: `correct the StrictHostKeyChecking line in ${source}`,
            });
          }
          result.strictHostKeyChecking ??= strict;
          break;
        }
      }
    }
  };

  readText(text, source, 0);
  return result;
}

/** The files an Include names: the path itself, or the matches of a wildcard last component, sorted. */
async function includedFiles(path: string): Promise<string[]> {
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  if (/[*?]/.test(dirname(path))) return [];
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  return names
    .filter((entry) => !entry.startsWith('.') && matchPattern(entry, name))
    .sort()
    .map((entry) => join(dirname(path), entry));
}

/** Reads every file the Include lines name (in any block), for resolveSshConfig's readInclude. */
async function readIncludes(
  text: string,
  home: string,
  found: Map<string, string[]>,
  depth: number,
): Promise<void> {
  if (depth > MAX_INCLUDE_DEPTH) return;
  for (const line of text.split(/\r?\n/)) {
    const parsed = tokenize(line);
    if (parsed?.keyword !== 'include') continue;
    for (const arg of parsed.args) {
      const path = includePath(arg, home);
      if (found.has(path)) continue;
      const texts: string[] = [];
      found.set(path, texts);
      for (const file of await includedFiles(path)) {
        const included = await readFile(file, 'utf8').catch(() => undefined);
        if (included === undefined) continue;
        texts.push(included);
        await readIncludes(included, home, found, depth + 1);
      }
    }
  }
}

export interface LoadSshConfigOptions {
  /** Default: ~/.ssh/config. */
  path?: string;
  /** Default: the user's home directory. */
  home?: string;
}

/** resolveSshConfig on the user's ~/.ssh/config (and what it includes); undefined without the file. */
export async function loadSshConfig(
  hostAlias: string,
  options: LoadSshConfigOptions = {},
): Promise<ResolvedSshConfig | undefined> {
  const home = options.home ?? homedir();
  const path = options.path ?? join(home, '.ssh', 'config');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const includes = new Map<string, string[]>();
  await readIncludes(text, home, includes, 1);
  return resolveSshConfig(text, hostAlias, home, {
    source: path,
    readInclude: (included) => includes.get(included) ?? [],
  });
}

/**
 * The known_hosts files to verify a host's key with, as ssh reads them: the UserKnownHostsFile
 * files if ssh_config sets them, else ~/.ssh/known_hosts (and known_hosts2); then the
 * GlobalKnownHostsFile ones, else /etc/ssh/ssh_known_hosts (and ssh_known_hosts2).
 * Files that do not exist are simply empty (see loadKnownHostsFiles).
 */
export function knownHostsFiles(config: ResolvedSshConfig | undefined, home: string): string[] {
  const user =
    config?.userKnownHostsFiles ?? DEFAULT_USER_KNOWN_HOSTS.map((file) => expandPath(file, home, ''));
  const global = config?.globalKnownHostsFiles ?? DEFAULT_GLOBAL_KNOWN_HOSTS;
  return [...user, ...global];
}

/** The entries of those known_hosts files that exist, and which ones did (to name in messages). */
export async function loadKnownHostsFiles(
  files: readonly string[],
): Promise<{ entries: KnownHostEntry[]; files: string[] }> {
  const entries: KnownHostEntry[] = [];
  const existing: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw error;
    }
    existing.push(file);
    entries.push(...parseKnownHosts(text));
  }
  return { entries, files: existing };
}
