import type { Choice, Prompter } from './prompter.js';

/**
 * A Prompter that answers from a queue, for tests of the wizard's flow. It behaves like a
 * person at the prompt: an answer the question's validator refuses is typed again (the next
 * queued answer), and an empty input or DEFAULT takes the question's default. It fails loudly,
 * naming the question, when the queue runs out, when an answer is refused that was not expected
 * to be, when an expected refusal is accepted, or when a choice is not on offer.
 */

/** Press Enter on the default. */
export const DEFAULT: unique symbol = Symbol('default');

export interface ScriptedStep {
  answer: unknown;
  /** The question this answer is for must match (substring or pattern). */
  prompt?: string | RegExp;
  /** The answer must be refused by the validator, with a reason matching this. */
  refused?: string | RegExp;
}

/** An answer that must be refused at the prompt (the next queued answer retypes it). */
export function refuse(answer: unknown, reason: string | RegExp, prompt?: string | RegExp): ScriptedStep {
  return { answer, refused: reason, ...(prompt !== undefined && { prompt }) };
}

/** An answer for a question whose message matches `prompt`. */
export function at(prompt: string | RegExp, answer: unknown): ScriptedStep {
  return { answer, prompt };
}

export interface ScriptedPrompter extends Prompter {
  /** Every question asked, in order (`message` of each). */
  readonly asked: string[];
  /** Every refusal shown: the question, the answer and the reason. */
  readonly refusals: { message: string; answer: unknown; reason: string }[];
  /** Answers not used yet. */
  remaining(): number;
}

function isStep(value: unknown): value is ScriptedStep {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'answer' in value;
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

export function createScriptedPrompter(script: readonly unknown[]): ScriptedPrompter {
  const queue = script.map((item) => (isStep(item) ? item : { answer: item }));
  const asked: string[] = [];
  const refusals: ScriptedPrompter['refusals'] = [];

  function next(message: string): ScriptedStep {
    const step = queue.shift();
    if (!step)
      throw new Error(
        `scripted prompter: no answer left for "${message}" (asked so far: ${asked.join(' | ')})`,
      );
    if (step.prompt !== undefined && !matches(message, step.prompt)) {
      throw new Error(
        `scripted prompter: answer ${String(step.answer)} was meant for ${String(step.prompt)}, but the question is "${message}"`,
      );
    }
    return step;
  }

  /** Takes answers until one is accepted; `resolve` turns a raw answer into the value, `validate` checks it. */
  function answer<T>(
    message: string,
    resolve: (raw: unknown) => T,
    validate: (value: T) => true | string,
  ): T {
    asked.push(message);
    for (;;) {
      const step = next(message);
      const value = resolve(step.answer);
      const verdict = validate(value);
      if (step.refused !== undefined) {
        if (verdict === true)
          throw new Error(
            `scripted prompter: "${message}" accepted ${String(step.answer)}, which should have been refused`,
          );
        if (!matches(verdict, step.refused)) {
          throw new Error(
            `scripted prompter: "${message}" refused ${String(step.answer)} with "${verdict}", expected ${String(step.refused)}`,
          );
        }
        refusals.push({ message, answer: step.answer, reason: verdict });
        continue;
      }
      if (verdict !== true)
        throw new Error(`scripted prompter: "${message}" refused ${String(step.answer)}: ${verdict}`);
      return value;
    }
  }

  function offered<T>(message: string, choices: readonly Choice<T>[], value: unknown): T {
    const choice = choices.find((c) => c.value === value);
    if (!choice) {
      throw new Error(
        `scripted prompter: ${String(value)} is not a choice of "${message}" (${choices.map((c) => String(c.value)).join(', ')})`,
      );
    }
    if (choice.disabled)
      throw new Error(`scripted prompter: "${choice.name}" is disabled: ${choice.disabled}`);
    return choice.value;
  }

  return {
    asked,
    refusals,
    remaining: () => queue.length,
    select: async (q) =>
      answer(
        q.message,
        (raw) => offered(q.message, q.choices, raw === DEFAULT ? (q.default ?? q.choices[0]?.value) : raw),
        () => true,
      ),
    input: async (q) =>
      answer(
        q.message,
        (raw) => {
          const typed = raw === DEFAULT ? '' : String(raw).trim();
          return typed === '' ? (q.default ?? '') : typed;
        },
        (value) => (q.validate ? q.validate(value) : true),
      ),
    confirm: async (q) =>
      answer(
        q.message,
        (raw) => {
          const value = raw === DEFAULT ? q.default : raw;
          if (typeof value !== 'boolean')
            throw new Error(`scripted prompter: "${q.message}" needs true or false, got ${String(raw)}`);
          return value;
        },
        () => true,
      ),
    checkbox: async (q) =>
      answer(
        q.message,
        (raw) => {
          const values = raw === DEFAULT ? q.choices.filter((c) => c.checked).map((c) => c.value) : raw;
          if (!Array.isArray(values))
            throw new Error(`scripted prompter: "${q.message}" needs a list, got ${String(raw)}`);
          return values.map((value) => offered(q.message, q.choices, value));
        },
        (values) => (q.validate ? q.validate(values) : true),
      ),
    number: async (q) =>
      answer(
        q.message,
        (raw) => {
          const value = raw === DEFAULT || raw === '' ? q.default : raw;
          if (value !== undefined && typeof value !== 'number')
            throw new Error(`scripted prompter: "${q.message}" needs a number, got ${String(raw)}`);
          return value;
        },
        (value) => {
          if (value === undefined && (q.required ?? true)) return 'a number is required';
          return q.validate ? q.validate(value) : true;
        },
      ),
  };
}
