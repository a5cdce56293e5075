// Regenerates schema/inventory.schema.json from the zod schema (via the build in dist/).
// Run: npm run schema. test/unit/inventory/json-schema.test.ts fails when this file is stale.
import { writeFileSync } from 'node:fs';
import { inventoryJsonSchemaText, schemaFilePath } from '../dist/inventory/json-schema.js';

writeFileSync(schemaFilePath(), inventoryJsonSchemaText());
process.stdout.write(`wrote ${schemaFilePath()}\n`);
