import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/templates/render.js';
import { wireInstallFailure } from '../../support/failure.js';

describe('renderTemplate', () => {
  it('replaces names and dotted paths, with or without spaces', () => {
    const text = 'a={{ a }}\nb={{host.name}} n={{ n }}\n';
    expect(renderTemplate(text, { a: 'x', host: { name: 'labhost1' }, n: 3 }, 't')).toBe(
      'a=x\nb=labhost1 n=3\n',
    );
  });

  it('refuses a name without a value, naming the template line and the name', async () => {
    const error = await wireInstallFailure(
      Promise.resolve().then(() =>
        renderTemplate('first\nsecond {{ missing }}\n', { a: 1 }, 'templates/x.conf'),
      ),
    );
    expect(error.what).toBe('templates/x.conf:2: {{ missing }} has no value');
    expect(error.evidence).toEqual(['values given: a']);
  });

  it('refuses an object where text is expected', async () => {
    const error = await wireInstallFailure(
      Promise.resolve().then(() => renderTemplate('{{ host }}', { host: { name: 'x' } }, 't')),
    );
    expect(error.what).toContain('{{ host }} has no value');
  });
});
