import { basename } from 'node:path';
import { inputError } from '../core/errors.js';
import { DEFAULT_COTURN, DEFAULT_SFT, type HostAnswer, type PartialAnswers } from './answers.js';
import { type AnswersFile, loadAnswersFile } from './answers-file.js';
import { type FlagSpec, flagName, INIT_FLAGS, type InitFlags } from './flag-specs.js';
import { HostSpecError, hostFromFields, parseHostSpec } from './host-spec.js';
import { findLayout, layoutHosts } from './layouts.js';
import { checkHost, FLAG_CHECKS } from './validate.js';

/**
 * init's flags (InitFlags) and an answers file -> the answers init works from. `presetAnswers` reads
 * and checks whatever was given (the wizard starts from it); `completeAnswers`
 * (complete-answers.ts) insists on every required answer, for --non-interactive. Every refusal
 * is an input error (exit 2) naming the flag, or the key and file it came from.
 */

export { completeAnswers } from './complete-answers.js';

/** Answers as read from one source, before they are merged (keyed like the flags; `hosts` read). */
type Options = Record<string, unknown>;

interface Source {
  /** How to name a key in a message: `--domain`, or `domain in answers.yaml`. */
  name(key: string): string;
}

function sourceOf(file: AnswersFile | undefined): Source {
  return file ? { name: (key) => `"${key}" in ${basename(file.file)}` } : { name: flagName };
}

function refuse(where: string, value: unknown, reason: string): never {
  throw inputError({
    what: `${where} ${JSON.stringify(value)}: ${reason}`,
    next: 'see `wire-install init --help` for the flags and their values',
  });
}

function readValue(spec: FlagSpec, raw: unknown, where: string): unknown {
  let value: unknown;
  switch (spec.kind) {
    case 'string':
      if (typeof raw !== 'string' && typeof raw !== 'number') refuse(where, raw, 'must be text');
      value = String(raw).trim();
      break;
    case 'number':
      value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(value)) refuse(where, raw, 'must be a number');
      break;
    case 'boolean':
      if (typeof raw !== 'boolean') refuse(where, raw, 'must be true or false');
      value = raw;
      break;
    case 'enum':
      if (!spec.values?.includes(String(raw)))
        refuse(where, raw, `must be one of ${spec.values?.join(', ')}`);
      value = String(raw);
      break;
    case 'list':
      value = (Array.isArray(raw) ? raw.map(String) : String(raw).split(','))
        .map((item) => item.trim())
        .filter((item) => item !== '');
      break;
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    const verdict = spec.check ? FLAG_CHECKS[spec.check](item as never) : true;
    if (verdict !== true) refuse(where, item, verdict);
  }
  return value;
}

function readHosts(raw: unknown, where: string): HostAnswer[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const hosts: HostAnswer[] = [];
  for (const item of list) {
    let host: HostAnswer;
    try {
      host =
        typeof item === 'string'
          ? parseHostSpec(item)
          : item && typeof item === 'object'
            ? hostFromFields(item as Record<string, unknown>)
            : parseHostSpec(String(item));
    } catch (error) {
      if (error instanceof HostSpecError) refuse(where, item, error.message);
      throw error;
    }
    const verdict = checkHost(host, hosts);
    if (verdict !== true) refuse(where, item, verdict);
    hosts.push(host);
  }
  return hosts;
}

/** Reads one source (flags or file) into answers plus the layout it asks for. */
function readSource(values: Readonly<Options>, hosts: unknown, source: Source, hostKey: string): Options {
  const result: Options = {};
  for (const spec of INIT_FLAGS) {
    const raw = values[spec.key];
    if (raw !== undefined && raw !== null) result[spec.key] = readValue(spec, raw, source.name(spec.key));
  }
  if (hosts !== undefined && hosts !== null && !(Array.isArray(hosts) && hosts.length === 0)) {
    result.hosts = readHosts(hosts, source.name(hostKey));
  }
  return result;
}

/** Hosts from `--layout` and `--addresses`, with calling roles placed by the layout. */
function hostsFromLayout(merged: Options): HostAnswer[] {
  const layout = findLayout(String(merged.layout));
  if (!layout) return [];
  if (merged.hosts)
    throw inputError({
      what: '--layout and --host cannot be used together',
      next: 'give the hosts either way, not both',
    });
  const addresses = (merged.addresses as string[] | undefined) ?? [];
  const calling = {
    sft: Boolean(merged.sft ?? DEFAULT_SFT),
    coturn: Boolean(merged.coturn ?? DEFAULT_COTURN),
  };
  const slots = layout.slots(calling);
  if (addresses.length !== slots.length) {
    throw inputError({
      what: `--layout ${layout.id} has ${slots.length} hosts, but --addresses gives ${addresses.length}`,
      evidence: slots.map(
        (slot, i) => `${slot.name} (${slot.roles.join(', ')}): ${addresses[i] ?? 'missing'}`,
      ),
      next: `pass ${slots.length} comma-separated addresses with --addresses, in this order`,
    });
  }
  if (merged.mode !== undefined && merged.mode !== layout.mode) {
    throw inputError({
      what: `--layout ${layout.id} is a ${layout.mode} layout, but --mode is ${String(merged.mode)}`,
    });
  }
  const hosts = layoutHosts(layout, addresses, calling);
  readHosts(hosts, '--addresses');
  merged.mode = layout.mode;
  return hosts;
}

/** What flags and the answers file (flags win) say, each value checked; anything may be missing. */
export async function presetAnswers(flags: InitFlags, cwd: string): Promise<PartialAnswers> {
  const file = flags.answers !== undefined ? await loadAnswersFile(flags.answers, cwd) : undefined;
  const fromFile = file ? readSource(file.values, file.values.hosts, sourceOf(file), 'hosts') : {};
  const fromFlags = readSource(flags.given, flags.hosts, sourceOf(undefined), 'host');
  const merged: Options = { ...fromFile, ...fromFlags };
  // Hosts given on the command line replace the file's, whichever way either gives them.
  if (fromFlags.hosts) {
    delete merged.layout;
    if (!fromFlags.addresses) delete merged.addresses;
  }
  if (fromFlags.layout && !fromFlags.hosts) delete merged.hosts;
  if (merged.layout !== undefined) merged.hosts = hostsFromLayout(merged);
  else if (merged.addresses !== undefined)
    throw inputError({ what: '--addresses needs --layout', next: 'or give each host with --host' });
  delete merged.layout;
  delete merged.addresses;
  return merged as PartialAnswers;
}
