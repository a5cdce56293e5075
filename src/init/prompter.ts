import { ExitCode, WireInstallError } from '../core/errors.js';

/**
 * The questions the wizard asks, behind a small interface so its flow runs without a terminal:
 * the inquirer implementation below is for people, the scripted one (scripted-prompter.ts) for
 * tests. Validators return `true` or the reason an answer is refused; the prompt shows the
 * reason and asks again.
 */

export interface Choice<T> {
  value: T;
  name: string;
  description?: string;
  /** Shown greyed out with this reason; cannot be chosen. */
  disabled?: string;
  /** checkbox only: ticked at the start. */
  checked?: boolean;
}

export interface SelectQuestion<T> {
  message: string;
  choices: readonly Choice<T>[];
  default?: T;
}

export interface InputQuestion {
  message: string;
  /** Returned when the answer is left empty. */
  default?: string;
  validate?: (value: string) => true | string;
}

export interface ConfirmQuestion {
  message: string;
  default?: boolean;
}

export interface CheckboxQuestion<T> {
  message: string;
  choices: readonly Choice<T>[];
  validate?: (values: readonly T[]) => true | string;
}

export interface NumberQuestion {
  message: string;
  default?: number;
  /** When false, an empty answer gives undefined. Default true. */
  required?: boolean;
  validate?: (value: number | undefined) => true | string;
}

export interface Prompter {
  select<T>(question: SelectQuestion<T>): Promise<T>;
  input(question: InputQuestion): Promise<string>;
  confirm(question: ConfirmQuestion): Promise<boolean>;
  checkbox<T>(question: CheckboxQuestion<T>): Promise<T[]>;
  number(question: NumberQuestion): Promise<number | undefined>;
}

/** The user pressed Ctrl-C (or chose to stop): nothing is written, exit 130. */
export function interrupted(what = 'interrupted; nothing was written'): WireInstallError {
  return new WireInstallError({ what, exitCode: ExitCode.interrupted });
}

/** inquirer signals Ctrl-C and aborts with these errors; they come from @inquirer/core, matched by name. */
function isPromptExit(error: unknown): boolean {
  return (
    error instanceof Error &&
    ['ExitPromptError', 'AbortPromptError', 'CancelPromptError'].includes(error.name)
  );
}

/** The prompter for people at a terminal, on @inquirer/prompts (loaded only when the wizard runs). */
export function createInquirerPrompter(options: { signal?: AbortSignal } = {}): Prompter {
  const context = { signal: options.signal };
  const load = () => import('@inquirer/prompts');
  async function ask<T>(question: () => Promise<T>): Promise<T> {
    try {
      return await question();
    } catch (error) {
      if (isPromptExit(error)) throw interrupted();
      throw error;
    }
  }
  const choices = <T>(list: readonly Choice<T>[]) =>
    list.map((choice) => ({
      value: choice.value,
      name: choice.name,
      ...(choice.description !== undefined && { description: choice.description }),
      ...(choice.disabled !== undefined && { disabled: choice.disabled }),
      ...(choice.checked !== undefined && { checked: choice.checked }),
    }));
  return {
    select: async (q) => {
      const { select } = await load();
      return ask(() =>
        select({ message: q.message, choices: choices(q.choices), default: q.default }, context),
      );
    },
    input: async (q) => {
      const { input } = await load();
      const answer = await ask(() =>
        input(
          {
            message: q.message,
            default: q.default,
            validate: (v) => (q.validate ? q.validate(v.trim()) : true),
          },
          context,
        ),
      );
      return answer.trim();
    },
    confirm: async (q) => {
      const { confirm } = await load();
      return ask(() => confirm({ message: q.message, default: q.default }, context));
    },
    checkbox: async (q) => {
      const { checkbox } = await load();
      const validate = q.validate;
      return ask(() =>
        checkbox(
          {
            message: q.message,
            choices: choices(q.choices),
            ...(validate && { validate: (picked) => validate(picked.map((choice) => choice.value)) }),
          },
          context,
        ),
      );
    },
    number: async (q) => {
      const { number } = await load();
      return ask(() =>
        number(
          {
            message: q.message,
            default: q.default,
            required: q.required ?? true,
            step: 'any',
            validate: q.validate ?? (() => true),
          },
          context,
        ),
      );
    },
  };
}
