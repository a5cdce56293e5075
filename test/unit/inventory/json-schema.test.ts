import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryJsonSchemaText, schemaFilePath, schemaHeader } from '../../../src/inventory/json-schema.js';

describe('the JSON Schema of the inventory', () => {
  it('is committed exactly as the zod schema generates it (run `npm run schema` after changing the schema)', () => {
    expect(readFileSync(schemaFilePath(), 'utf8')).toBe(inventoryJsonSchemaText());
  });

  it('refuses unknown keys and knows the roles, so editors flag typos', () => {
    const schema = JSON.parse(inventoryJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    const roles = schema.properties.hosts.items.properties.roles.items.enum;
    expect(roles).toEqual(expect.arrayContaining(['kube-control-plane', 'cassandra', 'sftd', 'coturn']));
  });

  it('is referenced from written inventories by a relative path', () => {
    const header = schemaHeader(
      `${schemaFilePath().replace(/schema\/inventory.schema.json$/, '')}inventory.yaml`,
    );
    expect(header).toBe('# yaml-language-server: $schema=./schema/inventory.schema.json');
  });
});
