import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FileSpec, fileOperation } from '../operations/file.js';
import type { Operation } from '../operations/types.js';
import { renderTemplate, type TemplateValues } from './render.js';

/** The project's templates/ folder (beside dist/ and src/ in the package). */
const TEMPLATES = new URL('../../templates/', import.meta.url);

function templatePath(name: string): string {
  return fileURLToPath(new URL(name, TEMPLATES));
}

/** A template from templates/, rendered (errors name `templates/<name>` and the line). */
export function renderTemplateFile(name: string, values: TemplateValues): string {
  return renderTemplate(readFileSync(templatePath(name), 'utf8'), values, `templates/${name}`);
}

/** A template from templates/, rendered, as a file operation (the plan names the template). */
export function templateOperation(
  name: string,
  values: TemplateValues,
  file: Omit<FileSpec, 'content'>,
): Operation {
  return fileOperation({ ...file, content: renderTemplateFile(name, values) }, name);
}
