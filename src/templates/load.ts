import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FileSpec, fileOperation } from '../operations/file.js';
import type { Operation } from '../operations/types.js';
import { renderTemplate, type TemplateValues } from './render.js';

/** The project's templates/ folder (beside dist/ and src/ in the package). */
const TEMPLATES = new URL('../../templates/', import.meta.url);

export function templatePath(name: string): string {
  return fileURLToPath(new URL(name, TEMPLATES));
}

/** A template from templates/, rendered, as a file operation (the plan names the template). */
export function templateOperation(
  name: string,
  values: TemplateValues,
  file: Omit<FileSpec, 'content'>,
): Operation {
  const text = readFileSync(templatePath(name), 'utf8');
  return fileOperation({ ...file, content: renderTemplate(text, values, `templates/${name}`) }, name);
}
