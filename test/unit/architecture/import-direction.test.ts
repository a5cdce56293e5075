import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Imports run one way (docs/architecture.md#layers): a folder of src/ imports only folders of its
 * own layer or below. The layers, top to bottom; a new folder must be placed here, or the test
 * fails naming it. Within a layer, folders may import each other, but never in a circle.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli.ts', 'single-executable.ts', 'version-info.ts'],
  ['commands'],
  ['apply', 'doctor', 'upgrade', 'init', 'remove-host'],
  ['plan'],
  ['steps'],
  ['wire', 'cluster', 'workloads', 'verify', 'preflight', 'tools'],
  ['engine', 'bundle', 'templates'],
  ['operations'],
  ['hosts', 'rules'],
  ['inventory', 'secrets', 'state', 'certs'],
  ['core'],
];

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

interface ImportEdge {
  file: string;
  target: string;
}

/** Every relative import (static, `export ... from`, and dynamic `import('...')`) of every .ts file under root. */
function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
          const target = resolve(dirname(path), match[1] ?? '').replace(/\.js$/, '.ts');
          edges.push({ file: relative(root, path), target: relative(root, target) });
        }
      }
    }
  };
  walk(root);
  return edges;
}

/** The top-level folder of a path under src/ ('cli.ts' for a file at the top). */
const topFolder = (path: string) => path.split('/')[0] ?? path;

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/** Imports against the direction, and folders no layer names, as sentences. */
function directionProblems(edges: readonly ImportEdge[]): string[] {
  const problems = new Set<string>();
  for (const { file, target } of edges) {
    const from = topFolder(file);
    const to = topFolder(target);
    for (const folder of [from, to])
      if (layerOf(folder) < 0) problems.add(`src/${folder} is in no layer: add it to LAYERS`);
    if (from === to || layerOf(from) < 0 || layerOf(to) < 0) continue;
    // LAYERS is listed top to bottom: a smaller index is a higher layer.
    if (layerOf(to) < layerOf(from))
      problems.add(
        `src/${file} imports src/${target}: ${from} (layer ${LAYERS.length - layerOf(from)}) is below ${to} (layer ${LAYERS.length - layerOf(to)})`,
      );
  }
  return [...problems];
}

/** Circles between folders of one layer (a imports b, b imports a, directly or through others). */
function folderCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { file, target } of edges) {
    const from = topFolder(file);
    const to = topFolder(target);
    if (from !== to) graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (folder: string, path: string[]) => {
    if (state.get(folder) === 'done') return;
    if (state.get(folder) === 'open') {
      cycles.push([...path.slice(path.indexOf(folder)), folder].join(' -> '));
      return;
    }
    state.set(folder, 'open');
    for (const next of graph.get(folder) ?? []) visit(next, [...path, folder]);
    state.set(folder, 'done');
  };
  for (const folder of [...graph.keys()].sort()) visit(folder, []);
  return cycles;
}

describe('import direction', () => {
  const edges = importEdges(SRC);

  it('reads the imports of the source tree (a broken scan would find none)', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ file: 'cli.ts', target: 'commands/registry.ts' });
  });

  it('no folder imports a folder of a higher layer', () => {
    expect(directionProblems(edges)).toEqual([]);
  });

  it('no circle between folders', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('an upward import is reported with the file, the target and both layers', () => {
    const upward = [{ file: 'operations/file.ts', target: 'steps/registry.ts' }];
    expect(directionProblems(upward)).toEqual([
      'src/operations/file.ts imports src/steps/registry.ts: operations (layer 4) is below steps (layer 7)',
    ]);
    expect(directionProblems([{ file: 'newfolder/x.ts', target: 'core/errors.ts' }])).toEqual([
      'src/newfolder is in no layer: add it to LAYERS',
    ]);
  });

  it('a circle between folders of one layer is reported', () => {
    const circle = [
      { file: 'wire/a.ts', target: 'cluster/b.ts' },
      { file: 'cluster/b.ts', target: 'workloads/c.ts' },
      { file: 'workloads/c.ts', target: 'wire/d.ts' },
    ];
    expect(folderCycles(circle)).toEqual(['cluster -> workloads -> wire -> cluster']);
  });
});
