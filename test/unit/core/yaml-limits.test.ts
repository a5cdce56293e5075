import { describe, expect, it } from 'vitest';
import { loadYamlLimited, YamlLimitError } from '../../../src/core/yaml-limits.js';
import { parseYamlWithPositions, positionAt } from '../../../src/core/yaml-positions.js';

/** Alias expansion and size are counted while parsing: a bomb is refused before anything walks it. */

function bomb(levels: number): string {
  const lines = [`a0: &a0 [${Array(9).fill('lol').join(', ')}]`];
  for (let i = 1; i <= levels; i += 1)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

function limitError(text: string, limits?: { maxBytes: number; maxExpandedNodes: number }) {
  try {
    parseYamlWithPositions(text, 'f.yaml', limits);
  } catch (error) {
    if (error instanceof YamlLimitError) return error;
    throw error;
  }
  return undefined;
}

describe('YAML limits', () => {
  it('refuses a billion-laughs document at the alias that crosses the limit, with the measured size', () => {
    const text = bomb(9);
    const started = performance.now();
    const error = limitError(text);
    // Measured about 2 ms; bounded far above so it cannot flake.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error?.rule).toBe('aliases may expand a YAML file to at most 100000 nodes');
    expect(error?.measured).toMatch(/^the alias \*a4 alone stands for \d+ nodes/);
    const at = positionAt(text, error?.offset ?? -1);
    expect(text.split('\n')[at.line - 1]?.slice(at.column - 1)).toMatch(/^\*a4\b/);
  });

  it('accepts ordinary aliases, and counts each as the nodes it stands for', () => {
    const text = 'base: &b {cpus: 8, memory: 16}\nhosts:\n  - *b\n  - *b\n';
    expect(parseYamlWithPositions(text, 'f.yaml').value).toEqual({
      base: { cpus: 8, memory: 16 },
      hosts: [
        { cpus: 8, memory: 16 },
        { cpus: 8, memory: 16 },
      ],
    });
    // Each *b counts as the nodes of base again (js-yaml's events count a few more than the
    // document's 20 nodes, which only makes the limit stricter): a tight limit stops it.
    expect(limitError(text)).toBeUndefined();
    expect(limitError(text, { maxBytes: 1000, maxExpandedNodes: 15 })?.measured).toMatch(
      /^the alias \*b alone/,
    );
  });

  it('refuses a document over the size limit before parsing it', () => {
    const error = limitError('a: 1\n'.repeat(100), { maxBytes: 400, maxExpandedNodes: 1000 });
    expect(error?.rule).toBe('a YAML file may have at most 400 bytes');
    expect(error?.measured).toBe('it has 500 bytes');
  });

  it("holds for YAML that is not ours too (a bundle's values): the same refusal with js-yaml's default schema", () => {
    expect(() => loadYamlLimited(bomb(9))).toThrow(YamlLimitError);
    expect(loadYamlLimited('a: &x [1, 2]\nb: *x\n')).toEqual({ a: [1, 2], b: [1, 2] });
  });
});
