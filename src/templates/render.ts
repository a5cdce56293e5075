import { inputError } from '../core/errors.js';

/**
 * Configuration files from templates: `{{ name }}` is replaced by the value of `name` (dots
 * reach into objects: `{{ host.name }}`). Deliberately tiny, with no logic: what a file says
 * is decided in TypeScript, where it is typed and tested; the template only lays it out. A
 * name without a value is an error naming the template, line and name, never an empty string
 * in a configuration file.
 */
export type TemplateValues = { readonly [key: string]: unknown };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

function lookup(values: TemplateValues, path: string): unknown {
  let node: unknown = values;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function renderTemplate(text: string, values: TemplateValues, templateName: string): string {
  return text.replace(PLACEHOLDER, (_match, name: string, offset: number) => {
    const value = lookup(values, name);
    if (value === undefined || value === null || typeof value === 'object') {
      const line = text.slice(0, offset).split('\n').length;
      throw inputError({
        what: `${templateName}:${line}: {{ ${name} }} has no value`,
        evidence: [`values given: ${Object.keys(values).sort().join(', ') || '(none)'}`],
        next: 'give the value, or fix the name in the template',
      });
    }
    return String(value);
  });
}
