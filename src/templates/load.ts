import { packageFileText } from '../core/package-files.js';
import { type FileSpec, fileOperation } from '../operations/file.js';
import type { Operation } from '../operations/types.js';
import { renderTemplate, type TemplateValues } from './render.js';

/** A template from the package's templates/ (src/core/package-files.ts), rendered (errors name `templates/<name>` and the line). */
export function renderTemplateFile(name: string, values: TemplateValues): string {
  const file = `templates/${name}`;
  return renderTemplate(packageFileText(file), values, file);
}

/** A template from templates/, rendered, as a file operation (the plan names the template). */
export function templateOperation(
  name: string,
  values: TemplateValues,
  file: Omit<FileSpec, 'content'>,
): Operation {
  return fileOperation({ ...file, content: renderTemplateFile(name, values) }, name);
}
