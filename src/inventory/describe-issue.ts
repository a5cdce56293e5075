import type { z } from 'zod';
import { shownKey, shownText, shownValue } from '../core/shown-value.js';

/** Turns zod's issues into sentences about the inventory a sysadmin can act on. */

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `hosts[2] (kubenode3).resources.memoryGiB`: the host's name helps more than its index. */
export function formatKeyPath(path: readonly PropertyKey[], root: unknown): string {
  if (path.length === 0) return '(top level)';
  let text = '';
  path.forEach((key, index) => {
    if (typeof key === 'number') {
      text += `[${key}]`;
      const item = valueAt(root, path.slice(0, index + 1));
      const name = item && typeof item === 'object' ? (item as { name?: unknown }).name : undefined;
      if (path[index - 1] === 'hosts' && typeof name === 'string') text += ` (${shownText(name)})`;
    } else {
      text += text === '' ? String(key) : `.${String(key)}`;
    }
  });
  return text;
}

/** A value quoted in a message: control characters escaped, cut to a few dozen characters. */
function show(value: unknown): string {
  return shownValue(value);
}

export function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map(shownKey).join(', ')} (check the spelling against docs/inventory.md)`;
    case 'invalid_type':
      if (value === undefined) return `required key is missing (expected ${issue.expected})`;
      return `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}, found ${show(value)}`;
    case 'invalid_value':
      if (value === undefined)
        return `required key is missing (must be ${issue.values.map(show).join(' or ')})`;
      return `must be ${issue.values.length === 1 ? show(issue.values[0]) : `one of ${issue.values.map(show).join(', ')}`}, found ${show(value)}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options && value === undefined)
        return `required key is missing (one of ${options.map(show).join(', ')})`;
      if (options) return `must be one of ${options.map(show).join(', ')}, found ${show(value)}`;
      return `${issue.message}, found ${show(value)}`;
    }
    case 'invalid_format':
      return `${issue.message.replace(/^Invalid /, 'not a valid ')}, found ${show(value)}`;
    case 'too_small':
      if (Array.isArray(value))
        return `needs at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
      if (typeof value === 'string') return `must not be empty`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, found ${show(value)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, found ${show(value)}`;
    default:
      return `${issue.message}, found ${show(value)}`;
  }
}
