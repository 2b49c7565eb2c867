/**
 * One output-safety layer for every string that came from JumpCloud or from a request (names,
 * usernames, user agents, messages built from them, `requestedBy`, `reason`): anyone who can name a
 * device can put ESC sequences, line breaks, bidi overrides or Slack mentions into it. Pure functions.
 *
 * - `clean`: one line, safe for a terminal and a plain-text e-mail, capped with an ellipsis.
 * - `cleanBlock`: the same, keeping `\n` between lines we built ourselves.
 * - `escapeMrkdwn`: Slack mrkdwn (`<!channel>`, `<@U1>`, `<https://x|y>` need `<`), after `clean`.
 * - `escapeHtml`: HTML text and attribute values, after `clean`.
 * - `safeJson`: JSON whose text is also terminal-safe; `maskSecrets`: secret-looking values masked.
 */

/** Names in messages are cut to this many characters (the finding keeps them whole). */
export const MAX_NAME = 256;
/** A message line built from names (e.g. a result's or a regression's message). */
export const MAX_LINE = 512;
/** A paragraph such as a control's summary or an error's message. */
export const MAX_PARAGRAPH = 1000;

const ELLIPSIS = "…";
/** What stands in for a removed control character or escape sequence, so removal stays visible. */
const REPLACEMENT = "\uFFFD";

// ECMA-48 string commands (OSC, DCS, SOS, PM, APC; 7-bit `ESC ] P X ^ _` or 8-bit C1) run to BEL,
// ST (`ESC \` or U+009C) or, unterminated, to the end of the value: a terminal would swallow it too.
const STRING_COMMAND =
  "(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[\\s\\S]*?(?:\\u0007|\\u001b\\\\|\\u009c|$)";
// CSI (`ESC [` or U+009B): parameter bytes, intermediate bytes, then a final byte if there is one.
const CSI = "(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?";
// Any other escape (`ESC c`, `ESC 7`, `ESC ( B`, …) and a lone ESC.
const OTHER_ESCAPE = "\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?";
const ESCAPES = new RegExp(`${STRING_COMMAND}|${CSI}|${OTHER_ESCAPE}`, "g");
// Line and paragraph breaks of every kind, and tabs: a value must never start a line of its own.
const BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;
// C0 and C1 controls and DEL, bidi embeddings/overrides/isolates/marks (they reorder what is shown),
// and lone surrogates (not valid UTF-8, refused by some transports).
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A value as one terminal- and e-mail-safe line of at most `max` characters. */
export function clean(value: unknown, max: number = MAX_NAME): string {
  return capped(asText(value), max, (text) => neutralize(text).replace(BREAKS, " "));
}

/** Several lines we built ourselves: `\n` is kept, every other break and control is neutralized. */
export function cleanBlock(text: string, max: number = Number.POSITIVE_INFINITY): string {
  return capped(text, max, (window) =>
    window
      .replace(/\r\n/g, "\n")
      .split("\n")
      .map((line) => neutralize(line).replace(BREAKS, " "))
      .join("\n"),
  );
}

/**
 * Applies `transform` (which never lengthens text) to at most a window of the text before capping,
 * so a 60,000-character name costs no more than a short one. A cut inside an escape sequence leaves
 * it unterminated, and so removed: the window changes what is shown, never what is safe.
 */
function capped(text: string, max: number, transform: (text: string) => string): string {
  const window = Number.isFinite(max) ? max * 4 + 1024 : Number.POSITIVE_INFINITY;
  if (text.length <= window) return cap(transform(text), max);
  const head = transform(
    text.slice(0, /[\ud800-\udbff]/.test(text.charAt(window - 1)) ? window - 1 : window),
  );
  return cap(`${head}${ELLIPSIS}`, max);
}

/** Cuts text to `max` characters, the last one an ellipsis; never splits a surrogate pair. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let cut = text.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${ELLIPSIS}`;
}

/** Escapes `&`, `<` and `>` for Slack mrkdwn, so mentions (`<!channel>`, `<@U1>`) and links are inert text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

// Characters JSON.stringify leaves raw that a terminal may act on; they only occur inside strings.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify whose output is also safe on a terminal (same value once parsed). */
export function safeJson(value: unknown, space?: number): string {
  return (JSON.stringify(value, null, space) ?? "null").replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** What stands in for a masked secret. */
export const REDACTED = "[REDACTED]";
/** Beyond this depth a value is replaced (a hostile event may nest 20,000 levels, past the stack). */
const MAX_DEPTH = 64;
const TOO_DEEP = "[nested too deep]";
// Words in a field name that say its value is secret (RADIUS `sharedSecret`, passwords, keys, tokens).
const SECRET_WORDS = [
  "secret",
  "password",
  "passwd",
  "passphrase",
  "apikey",
  "privatekey",
  "credential",
  "accesstoken",
  "refreshtoken",
  "authtoken",
  "bearer",
];

/** Whether a field name (or a `changes[].field` path) says its value is secret. */
export function isSecretField(name: string): boolean {
  const key = name.toLowerCase().replace(/[^a-z]/g, "");
  return key === "token" || SECRET_WORDS.some((word) => key.includes(word));
}

/**
 * A copy with secret-looking values masked: fields whose name says secret, and the `from`/`to` of a
 * change (`{field, from, to}`, as Directory Insights records updates) whose `field` does. Booleans
 * and null stay (they say whether, not what). Values nested deeper than 64 levels are replaced.
 */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  const record = value as Record<string, unknown>;
  const secretChange = typeof record.field === "string" && isSecretField(record.field);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const masked =
      (isSecretField(key) || (secretChange && (key === "from" || key === "to"))) &&
      item !== null &&
      item !== undefined &&
      typeof item !== "boolean";
    out[key] = masked ? REDACTED : maskSecrets(item, depth + 1);
  }
  return out;
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  // Objects are shown as JSON (depth-limited), never as "[object Object]".
  return safeJson(maskSecrets(value));
}

function neutralize(text: string): string {
  return text
    .replace(ESCAPES, REPLACEMENT)
    .replace(INVISIBLE, (c) => (/[\t\n\v\f\r\u0085]/.test(c) ? c : REPLACEMENT));
}
