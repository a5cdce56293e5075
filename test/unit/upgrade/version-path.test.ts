import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { versionPlanLines, versionPlanRecord } from '../../../src/upgrade/render-version-plan.js';
import { compareVersions, parseChartVersion, planVersions } from '../../../src/upgrade/version-path.js';
import { notesOf, VERSION_NOTES } from '../../../src/upgrade/versions.js';

const plain = { federation: false };
const federated = { federation: true };

/** The Wire reference's version sections, as GitHub anchors of docs/wire/upgrades.md. */
const versionAnchors = [
  ...readFileSync(new URL('../../../docs/wire/upgrades.md', import.meta.url), 'utf8').matchAll(
    /^### Version (\d+)\.(\d+)$/gm,
  ),
].map((match) => `version-${match[1]}${match[2]}`);

describe('the per-version notes (docs/wire/upgrades.md#version-notes)', () => {
  it('are ordered, one entry per version, each sourced and saying something', () => {
    const minors = VERSION_NOTES.map((notes) => parseChartVersion(notes.version)?.minor);
    expect(minors).toEqual([...minors].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(minors).size).toBe(minors.length);
    for (const notes of VERSION_NOTES) {
      // Each entry cites Wire's public source and this project's section for that version, which exists.
      const anchor = `version-${notes.version.replace('.', '')}`;
      expect(notes.source, notes.version).toContain(`docs/wire/upgrades.md#${anchor}`);
      expect(notes.source, notes.version).toMatch(/https:\/\/(docs\.wire\.com|github\.com\/wireapp)\//);
      expect(versionAnchors, notes.version).toContain(anchor);
      const items = notes.automatic.length + notes.actions.length + notes.notices.length;
      expect(items + (notes.broken ? 1 : 0), notes.version).toBeGreaterThan(0);
      for (const change of notes.automatic) expect(change.doneBy, notes.version).not.toBe('');
      for (const action of notes.actions) expect(action.why, notes.version).not.toBe('');
    }
  });

  it('5.29 is broken for every install, 5.26 for federated ones, nothing else', () => {
    const broken = VERSION_NOTES.filter((notes) => notes.broken).map((notes) => [
      notes.version,
      notes.broken?.scope,
    ]);
    expect(broken).toEqual([
      ['5.26', 'federated'],
      ['5.29', 'every-install'],
    ]);
  });

  it('versions the notes of docs/wire/upgrades.md do not mention have no notes', () => {
    for (const version of ['5.9', '5.20', '5.31', '5.32']) expect(notesOf(version)).toBeUndefined();
  });

  it('tell operators what happens, without naming functions or source files', () => {
    const shown = VERSION_NOTES.flatMap((notes) => [
      ...notes.automatic.flatMap((change) => [change.change, change.doneBy]),
      ...notes.actions.flatMap((action) => [action.what, action.why]),
      ...notes.notices,
      ...(notes.broken ? [notes.broken.reason] : []),
    ]);
    for (const text of shown) {
      expect(text).not.toMatch(/\w\(\)/);
      expect(text).not.toMatch(/\.ts\b|\bsrc\//);
      expect(text).not.toMatch(/\b(wireServer(Values|Secrets)|redisHostFor|postgresMigrationForward)\b/);
    }
  });
});

describe('chart versions compare numerically', () => {
  it('5.9 < 5.10 < 5.10.1, and v-prefixed or two-part forms parse', () => {
    const v = (text: string) => parseChartVersion(text) ?? expect.unreachable(text);
    expect(compareVersions(v('5.9.0'), v('5.10.0'))).toBeLessThan(0);
    expect(compareVersions(v('5.10.1'), v('5.10'))).toBeGreaterThan(0);
    expect(compareVersions(v('v5.28.0'), v('5.28'))).toBe(0);
    for (const bad of ['', '5', 'five', '5.28.0-pre.1', '5.x'])
      expect(parseChartVersion(bad), bad).toBeUndefined();
  });

  it('an upgrade from 5.9 to 5.10 passes exactly 5.10, not a string-sorted range', () => {
    expect(planVersions('5.9.0', '5.10.0', plain).versions).toEqual(['5.10']);
    expect(planVersions('5.9.0', '5.12.0', plain).notes.map((step) => step.version)).toEqual(['5.12']);
  });
});

describe('planVersions', () => {
  it('5.28 -> 5.32 goes past 5.29 with its reason and shows the notes of 5.30 to 5.32', () => {
    const plan = planVersions('5.28.0', '5.32.0', plain);
    expect(plan.refused).toBeUndefined();
    expect(plan.versions).toEqual(['5.29', '5.30', '5.31', '5.32']);
    expect(plan.skipped).toEqual([{ version: '5.29', reason: notesOf('5.29')?.broken?.reason }]);
    expect(plan.skipped[0]?.reason).toContain('broken');
    const v530 = plan.notes.find((step) => step.version === '5.30');
    expect(v530?.automatic.map((change) => change.change)).toContain(
      'tags.proxy must be set explicitly again',
    );
    expect(v530?.actions.map((action) => action.what).join('\n')).toContain('restund');
    // 5.29's lasting changes (inlined services) still apply, marked as skipped.
    expect(plan.notes.find((step) => step.version === '5.29')?.skipped).toBe(true);
    // docs/wire/upgrades.md#version-notes has nothing for 5.31 and 5.32: no invented notes.
    expect(plan.notes.map((step) => step.version)).toEqual(['5.29', '5.30']);
    const text = versionPlanLines(plan).join('\n');
    expect(text).toContain('skipped 5.29: Wire declared 5.29 broken');
    expect(text).toContain('5.31: no upgrade notes known');
    expect(text).toContain('5.32: no upgrade notes known');
  });

  it("5.25 -> 5.26 is refused with federation on, and passes with 5.26's notes without it", () => {
    const refused = planVersions('5.25.0', '5.26.0', federated);
    expect(refused.refused).toMatchObject({ version: '5.26', reason: expect.stringContaining('federated') });
    expect(refused.refused?.next).toContain('5.27');
    expect(refused.notes).toEqual([]);

    const plan = planVersions('5.25.0', '5.26.0', plain);
    expect(plan.refused).toBeUndefined();
    expect(plan.skipped).toEqual([]);
    expect(plan.notes.map((step) => step.version)).toEqual(['5.26']);
    expect(plan.notes[0]?.actions.map((action) => action.what).join('\n')).toContain('refill Elasticsearch');
  });

  it('a federated install goes past 5.26 when it lies in between', () => {
    const plan = planVersions('5.25.0', '5.28.0', federated);
    expect(plan.refused).toBeUndefined();
    expect(plan.skipped.map((skipped) => skipped.version)).toEqual(['5.26']);
    expect(planVersions('5.25.0', '5.28.0', plain).skipped).toEqual([]);
  });

  it('5.28 -> 5.29 is refused: a broken target is never the end of an upgrade', () => {
    const plan = planVersions('5.28.0', '5.29.0', plain);
    expect(plan.refused).toMatchObject({ version: '5.29', next: expect.stringContaining('5.30') });
    expect(versionPlanLines(plan).join('\n')).toContain('refused: 5.29: Wire declared 5.29 broken');
  });

  it('a downgrade, an unparseable version, another major and a version newer than the notes are refused', () => {
    expect(planVersions('5.30.0', '5.28.0', plain).refused?.reason).toContain('downgrades are not supported');
    expect(planVersions('5.10.0', '5.9.0', plain).refused?.reason).toContain('older than');
    expect(planVersions('5.28.0', 'latest', plain).refused?.reason).toContain(
      'not a wire-server chart version',
    );
    expect(planVersions('garbage', '5.30.0', plain).refused?.version).toBe('garbage');
    expect(planVersions('4.40.0', '5.30.0', plain).refused?.reason).toContain('not a wire-server 5.x chart');
    expect(planVersions('5.30.0', '5.33.0', plain).refused?.reason).toContain('newer than 5.32');
    expect(planVersions('5.32.0', '5.32.1', plain).refused).toBeUndefined();
  });

  it('the same version is nothing to upgrade', () => {
    const plan = planVersions('5.32.0', '5.32.0', plain);
    expect(plan).toMatchObject({ nothingToUpgrade: true, versions: [], skipped: [], notes: [] });
    expect(plan.refused).toBeUndefined();
    expect(versionPlanLines(plan).join('\n')).toContain('nothing to upgrade');
  });

  it('the 5.24 brig workaround is shown to non-federated installs only', () => {
    const brig = (federation: boolean) =>
      planVersions('5.23.0', '5.24.0', { federation })
        .notes[0]?.actions.map((action) => action.what)
        .some((what) => what.includes('enableFederation'));
    expect(brig(false)).toBe(true);
    expect(brig(true)).toBe(false);
  });

  it('the --json record carries the same plan', () => {
    const plan = planVersions('5.28.0', '5.32.0', plain);
    const record = versionPlanRecord(plan);
    expect(record).toMatchObject({
      type: 'upgrade-versions',
      from: '5.28.0',
      to: '5.32.0',
      skipped: plan.skipped,
    });
    expect(JSON.parse(JSON.stringify(record)).notes).toEqual(plan.notes);
  });
});
