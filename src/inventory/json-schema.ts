import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
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

/** Absolute path of the schema file shipped with this copy of wire-install. */
export function schemaFilePath(): string {
  // dist/inventory/json-schema.js and src/inventory/json-schema.ts both sit two levels below the root.
  return fileURLToPath(new URL('../../schema/inventory.schema.json', import.meta.url));
}

/** The first line of every inventory wire-install writes, so editors (yaml-language-server) check it. */
export function schemaHeader(inventoryFile: string): string {
  let target = relative(dirname(inventoryFile), schemaFilePath());
  if (!target.startsWith('.') && !target.startsWith('/')) target = `./${target}`;
  return `# yaml-language-server: $schema=${target}`;
}
