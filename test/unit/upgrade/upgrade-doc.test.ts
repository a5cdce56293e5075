import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { versionNotesTable } from '../../../src/upgrade/render-version-plan.js';
import { VERSION_NOTES } from '../../../src/upgrade/versions.js';

const DOC = new URL('../../../docs/upgrade.md', import.meta.url);

/** A markdown table's rows as trimmed cells: the formatter (biome) pads cells, the content is what counts. */
const cells = (table: string) =>
  table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim())
        .join('|')
        .replace(/-{3,}/g, '---'),
    );

describe('docs/upgrade.md', () => {
  it('carries the notes table exactly as generated from the data', () => {
    const doc = cells(readFileSync(DOC, 'utf8'));
    const generated = cells(versionNotesTable());
    const start = doc.indexOf(generated[0] ?? '');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(doc.slice(start, start + generated.length)).toEqual(generated);
  });

  it('the table has one row per version with notes, broken versions marked', () => {
    const rows = versionNotesTable().split('\n').slice(2);
    expect(rows.map((row) => row.split(' | ')[0]?.replace('| ', ''))).toEqual(
      VERSION_NOTES.map((notes) => notes.version),
    );
    expect(rows.find((row) => row.startsWith('| 5.29 '))).toContain('for every install');
    expect(rows.find((row) => row.startsWith('| 5.26 '))).toContain('for federated installs');
  });
});
