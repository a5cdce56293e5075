import yaml from 'js-yaml';
import type { z } from 'zod';
import { inputError } from './errors.js';
import { YamlLimitError } from './yaml-limits.js';
import { type KeyPath, type Position, parseYamlWithPositions, positionAt } from './yaml-positions.js';

/**
 * Reading one of our YAML files (the inventory, the secrets file): YAML with positions, a
 * mapping at the top, then the zod schema, every problem at once with file:line:column.
 * What differs between the files is only how they talk about themselves.
 */
export interface YamlDocumentSpec<T> {
  schema: z.ZodType<T>;
  /** "the inventory", "the secrets file": used in messages. */
  noun: string;
  /** "the inventory format", "the secrets format". */
  format: string;
  /** Top-level keys to name when the file is not a mapping, e.g. "apiVersion, kind, mode, domain, ...". */
  expectedKeys: string;
  /** Show the YAML lines around a syntax error. Never for secrets: those lines are secrets. */
  showSnippet: boolean;
  next: { syntax: string; notMapping: string; schema: string; notOurs: string };
  /**
   * The header every file of ours has. A mapping with neither is someone else's file (a link or
   * --secrets to /etc/shadow): it is refused without a word of what it holds, not listed as
   * unknown keys.
   */
  identity: { apiVersion: string; kind: string };
  formatPath(path: readonly PropertyKey[], root: unknown): string;
  describeIssue(issue: z.core.$ZodIssue, root: unknown): string;
}

export interface YamlDocument<T> {
  value: T;
  locate(path: KeyPath): Position | undefined;
}

export function parseYamlDocument<T>(text: string, file: string, spec: YamlDocumentSpec<T>): YamlDocument<T> {
  let parsed: ReturnType<typeof parseYamlWithPositions>;
  try {
    parsed = parseYamlWithPositions(text, file);
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const { line, column } = error.mark ?? { line: 0, column: 0 };
      // The lines around the mistake only from a file that says it is ours.
      const snippet =
        spec.showSnippet && text.includes(spec.identity.apiVersion) ? error.mark?.snippet : undefined;
      throw inputError({
        what: `${file}:${line + 1}:${column + 1}: ${spec.noun} is not valid YAML: ${error.reason}`,
        evidence: snippet ? snippet.split('\n') : [],
        next: spec.next.syntax,
      });
    }
    if (error instanceof YamlLimitError) throw limitError(text, file, spec, error);
    throw error;
  }
  const root = parsed.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw inputError({
      what: `${file}:1:1: ${spec.noun} must be a YAML mapping (${spec.expectedKeys})`,
      next: spec.next.notMapping,
    });
  }
  const header = root as { apiVersion?: unknown; kind?: unknown };
  if (header.apiVersion !== spec.identity.apiVersion && header.kind !== spec.identity.kind) {
    throw inputError({
      what: `${file}:1:1: this is not ${spec.noun} of wire-install: it has neither apiVersion: ${spec.identity.apiVersion} nor kind: ${spec.identity.kind} (nothing else from it is shown)`,
      next: spec.next.notOurs,
    });
  }
  const result = spec.schema.safeParse(root);
  if (result.success) return { value: result.data, locate: parsed.locate };
  const lines = result.error.issues.map((issue) => {
    const path = issue.path as (string | number)[];
    // Point at the unknown key itself, not at the mapping that holds it.
    const position = parsed.locate(
      issue.code === 'unrecognized_keys' ? [...path, String(issue.keys[0])] : path,
    );
    const where = position ? `${file}:${position.line}:${position.column}` : file;
    return `${where}: ${spec.formatPath(path, root)}: ${spec.describeIssue(issue, root)}`;
  });
  throw inputError({
    what: `${file} does not match ${spec.format} (${lines.length} ${lines.length === 1 ? 'problem' : 'problems'})`,
    evidence: lines,
    next: spec.next.schema,
  });
}

function limitError<T>(text: string, file: string, spec: YamlDocumentSpec<T>, error: YamlLimitError) {
  const { line, column } = positionAt(text, error.offset);
  return inputError({
    what: `${file}:${line}:${column}: ${spec.noun} is refused: ${error.rule}; ${error.measured}`,
    next: 'write the values out instead of repeating them through anchors and aliases (&name, *name), and check that this is the right file',
  });
}
