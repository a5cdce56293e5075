import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { packageFilePath, packageFileText } from '../core/package-files.js';
import { inventorySchema } from './schema.js';

/**
 * The JSON Schema editors use to complete and check inventory.yaml. It is generated from the
 * zod schema (one source of truth) into schema/inventory.schema.json by `npm run schema`;
 * a test fails when the committed file drifts from the zod schema.
 */
export function inventoryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(inventorySchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    title: 'wire-install inventory',
    description: 'Hosts, roles and options of a self-hosted Wire installation. See docs/inventory.md.',
    ...schema,
  };
}

export function inventoryJsonSchemaText(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}

const SCHEMA = 'schema/inventory.schema.json';

/**
 * The single executable has no schema file on disk (its copy is an asset), so init writes the
 * schema beside the inventory, into the installation's own folder, and the header points there.
 */
export const SCHEMA_COPY = '.wire-install/inventory.schema.json';

/** Absolute path of the schema file shipped with this copy of wire-install (the npm package; not the single executable). */
export function schemaFilePath(): string {
  const path = packageFilePath(SCHEMA);
  if (path === undefined) throw new Error(`the single executable has no ${SCHEMA} file; see schemaCopy()`);
  return path;
}

/** The schema file an inventory's header names: the package's, or the copy beside the inventory. */
function schemaTarget(inventoryFile: string): string {
  return packageFilePath(SCHEMA) ?? join(dirname(inventoryFile), SCHEMA_COPY);
}

/** The first line of every inventory wire-install writes, so editors (yaml-language-server) check it. */
export function schemaHeader(inventoryFile: string): string {
  let target = relative(dirname(inventoryFile), schemaTarget(inventoryFile));
  if (!target.startsWith('../') && !target.startsWith('/')) target = `./${target}`;
  return `# yaml-language-server: $schema=${target}`;
}

/** In the single executable: the schema file to write beside an inventory (its header names it); else undefined. */
export function schemaCopy(inventoryFile: string): { path: string; text: string } | undefined {
  if (packageFilePath(SCHEMA) !== undefined) return undefined;
  return { path: schemaTarget(inventoryFile), text: packageFileText(SCHEMA) };
}
