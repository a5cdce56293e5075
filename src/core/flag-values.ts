import { inputError } from './errors.js';

/** A flag's value that must be a whole number from 1 to 500 (--concurrency and the like), or bad input (exit 2). */
export function positiveInteger(flag: string, value: unknown): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 500)
    throw inputError({
      what: `--${flag} ${String(value)}: must be a whole number from 1 to 500`,
      next: `e.g. --${flag} 10`,
    });
  return number;
}

/** A flag's text, or undefined when it was not given. */
export function optionalText(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}
