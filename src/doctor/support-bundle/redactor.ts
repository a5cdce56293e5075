import { REDACTED } from '../../secrets/redact.js';
import { redactKeyLike } from './key-patterns.js';

/**
 * Everything written into a support bundle passes through one Redactor: first every known
 * secret value (secrets.yaml's values and the ingress certificate's private keys, whole and
 * line by line: src/secrets/redact.ts), then whatever looks like a key (key-patterns.ts). It
 * counts what it replaced, so the summary can say how much was hidden.
 */
export class Redactor {
  private readonly values: string[];
  count = 0;

  constructor(values: readonly string[]) {
    // Longest first: a PEM key whole before its lines, a value before a value it contains.
    this.values = [...new Set(values)]
      .filter((value) => value.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (!out.includes(value)) continue;
      const parts = out.split(value);
      this.count += parts.length - 1;
      out = parts.join(REDACTED);
    }
    const patterned = redactKeyLike(out);
    this.count += patterned.count;
    return patterned.text;
  }
}
