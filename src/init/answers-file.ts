import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { inputError } from '../core/errors.js';
import { INIT_FLAGS } from './flag-specs.js';

/**
 * `--answers answers.yaml`: the flags of init as a YAML mapping, keyed like the flags in
 * camelCase (`--cert-email` is `certEmail`, `--ssh-port` is `sshPort`), with `hosts` a list of
 * host specs (strings as for --host, or mappings with the same keys). Flags given on the
 * command line win over the file. Unknown keys are refused, as in the inventory.
 */

export interface AnswersFile {
  /** Absolute path, for messages. */
  file: string;
  values: Record<string, unknown>;
}

export const ANSWER_FILE_KEYS: readonly string[] = [...INIT_FLAGS.map((spec) => spec.key), 'hosts'];

export async function loadAnswersFile(path: string, cwd: string): Promise<AnswersFile> {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw inputError({
      what: `cannot read the answers file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      next: 'pass the path of a YAML file with init answers (see `wire-install init --help`)',
    });
  }
  let parsed: unknown;
  try {
    parsed = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const mark = error instanceof yaml.YAMLException ? error.mark : undefined;
    throw inputError({
      what: `${file}:${(mark?.line ?? 0) + 1}:${(mark?.column ?? 0) + 1}: the answers file is not valid YAML`,
      evidence: error instanceof yaml.YAMLException ? [error.reason] : [],
      next: 'fix the YAML at that line (indentation uses spaces; a value with ": " needs quotes)',
    });
  }
  if (parsed === null || parsed === undefined) return { file, values: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw inputError({
      what: `${file}: the answers file must be a YAML mapping (mode, domain, certificates, hosts, ...)`,
      next: 'see `wire-install init --help` for the keys',
    });
  }
  const values = parsed as Record<string, unknown>;
  const unknown = Object.keys(values).filter((key) => !ANSWER_FILE_KEYS.includes(key));
  if (unknown.length > 0) {
    throw inputError({
      what: `${file}: unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => `"${k}"`).join(', ')}`,
      evidence: [`known keys: ${ANSWER_FILE_KEYS.join(', ')}`],
      next: 'the keys are the flags of `wire-install init` in camelCase (--cert-email is certEmail)',
    });
  }
  return { file, values };
}
