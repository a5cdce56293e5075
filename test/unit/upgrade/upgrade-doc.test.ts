import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { versionNotesTable } from '../../../src/upgrade/render-version-plan.js';
import { VERSION_NOTES } from '../../../src/upgrade/versions.js';

const DOC = new URL('../../../docs/upgrade.md', import.meta.url);

describe('docs/upgrade.md', () => {
  it('carries the notes table exactly as generated from the data', () => {
    expect(readFileSync(DOC, 'utf8')).toContain(versionNotesTable());
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
