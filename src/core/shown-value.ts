/**
 * Text from a file (a value of the inventory, a key name, a record of state.json) on its way to a
 * terminal. Two dangers: control characters (an escape sequence in a file can move the cursor,
 * rewrite what was printed, set the window title: the terminal obeys it), and size (a 50 MB
 * value echoed whole in an error). Every value quoted in a message goes through `shownValue`;
 * `escapeControl` is also the Output's net under everything printed.
 */

/** How many characters of a value a message quotes. */
export const SHOWN_VALUE_CHARS = 60;

// C0 controls, DEL, C1 controls, and the bidirectional overrides that reorder what is shown.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code > 0xff
    ? `\\u${code.toString(16).padStart(4, '0')}`
    : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** Every control character made visible (`\e[2J`, `\r`, `\x07`), newlines and tabs included. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

// The colour sequences chalk writes (ESC [ digits ; m): the only ones the Output lets through.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that starts a colour
const SGR = /\u001b\[[0-9;]*m/y;

/**
 * For a whole line (or lines) about to be printed: control characters escaped, except newlines,
 * tabs and chalk's colour sequences, which the line's own formatting uses.
 */
export function escapeForTerminal(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (ch === '\u001b') {
      SGR.lastIndex = i;
      const colour = SGR.exec(text);
      if (colour) {
        out += colour[0];
        i += colour[0].length - 1;
        continue;
      }
    }
    out += ch === '\n' || ch === '\t' ? ch : ch.replace(CONTROL, escapeOne);
  }
  return out;
}

/**
 * A value as a message quotes it: strings in double quotes, anything else as JSON, control
 * characters escaped, and at most SHOWN_VALUE_CHARS characters with the full size said after:
 * `"aaaa…" (52428800 bytes)`. Never walks more of a large object than it shows.
 */
export function shownValue(value: unknown, max = SHOWN_VALUE_CHARS): string {
  if (typeof value === 'string') {
    if (value.length <= max) return `"${escapeControl(value)}"`;
    return `"${escapeControl(value.slice(0, max))}…" (${Buffer.byteLength(value)} bytes)`;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value, limitedReplacer(max));
  } catch {
    json = undefined;
  }
  if (json === undefined) return String(value);
  return json.length > max ? `${escapeControl(json.slice(0, max))}…` : escapeControl(json);
}

/** A name from a file inside a sentence, unquoted: `kubenode3`, or `hhhh…` (300000 bytes). */
export function shownText(text: string, max = SHOWN_VALUE_CHARS): string {
  if (text.length <= max) return escapeControl(text);
  return `${escapeControl(text.slice(0, max))}… (${Buffer.byteLength(text)} bytes)`;
}

/** JSON of the first few entries only: a big (or alias-shared) tree is not stringified whole. */
function limitedReplacer(max: number) {
  let budget = max * 4;
  return (_key: string, value: unknown) => {
    budget -= 1;
    if (budget < 0) return undefined;
    if (typeof value === 'string' && value.length > max) return `${value.slice(0, max)}…`;
    return value;
  };
}

/** A key name from a file, as a message quotes it (keys are file content too). */
export function shownKey(key: string): string {
  return shownValue(String(key));
}

/** A run of this many characters without a space is a value, not a word or a path. */
export const LONG_RUN_CHARS = 200;

/**
 * The net for whole messages (an error, a finding) that quote values inside sentences built
 * elsewhere: any run of LONG_RUN_CHARS characters without a space is cut to SHOWN_VALUE_CHARS
 * with its size. Paths and words are far shorter, so only values are ever cut.
 */
export function cutLongRuns(text: string): string {
  if (text.length < LONG_RUN_CHARS) return text;
  return text.replace(
    new RegExp(`[^\\s]{${LONG_RUN_CHARS},}`, 'g'),
    (run) => `${run.slice(0, SHOWN_VALUE_CHARS)}… (${Buffer.byteLength(run)} bytes)`,
  );
}
