import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { inputError } from '../core/errors.js';
import { readRegularFile } from '../core/safe-file.js';
import { shownKey } from '../core/shown-value.js';
import { DEFAULT_YAML_LIMITS, YamlLimitError } from '../core/yaml-limits.js';
import { parseYamlWithPositions, positionAt } from '../core/yaml-positions.js';
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
  // Only a regular file (a FIFO or a device would hang or act), and never a huge one.
  const read = await readRegularFile(file, {
    role: 'the answers file',
    maxBytes: DEFAULT_YAML_LIMITS.maxBytes,
    followLink: true,
  });
  const text = read?.text;
  if (text === undefined)
    throw inputError({
      what: `cannot read the answers file ${file} (it does not exist)`,
      next: 'pass the path of a YAML file with init answers (see `wire-install init --help`)',
    });
  let parsed: unknown;
  try {
    // The limits of every YAML file read (size, alias expansion): see core/yaml-limits.ts.
    parsed = parseYamlWithPositions(text, file).value;
  } catch (error) {
    if (error instanceof YamlLimitError) {
      const { line, column } = positionAt(text, error.offset);
      throw inputError({
        what: `${file}:${line}:${column}: the answers file is refused: ${error.rule}; ${error.measured}`,
        next: 'write the answers out instead of repeating them through anchors and aliases (&name, *name)',
      });
    }
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
  // Not one answer among its keys: someone else's file (--answers /etc/shadow makes each line a
  // key). Its keys are its content, so none is shown.
  if (unknown.length > 0 && unknown.length === Object.keys(values).length) {
    throw inputError({
      what: `${file}: this is not an answers file of wire-install init: none of its ${unknown.length} keys is an answer (nothing of it is shown)`,
      evidence: [`known keys: ${ANSWER_FILE_KEYS.join(', ')}`],
      next: 'check the path given with --answers',
    });
  }
  if (unknown.length > 0) {
    throw inputError({
      what: `${file}: unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map(shownKey).join(', ')}`,
      evidence: [`known keys: ${ANSWER_FILE_KEYS.join(', ')}`],
      next: 'the keys are the flags of `wire-install init` in camelCase (--cert-email is certEmail)',
    });
  }
  return { file, values };
}
