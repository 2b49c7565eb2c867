/** Hostile names an attacker can give a device or type as a username, and what clean output must never hold. */

/** One of each class: ANSI/OSC sequences, forged lines, bidi, Slack mentions and links, sheer length. */
export const HOSTILE = {
  screenClear: "\u001b[2J\u001b[Hwiped",
  windowTitle: "\u001b]0;owned\u0007title",
  oscHyperlink: "\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\",
  eightBitCsi: "\u009b31mred",
  forgedLine: "x\nPASS   2.2 Enforce MFA",
  carriageReturn: "innocent\rPASS",
  lineSeparator: "who\u2028PASS",
  bidi: "admin\u202Egnp.exe",
  channel: "<!channel> wake up",
  here: "<!here>",
  user: "<@U123>",
  link: "<https://evil.example|click here>",
  ampersand: "R&D &lt;",
  long: "A".repeat(60_000),
} as const;

/** Every hostile class but sheer length in one name (escapes, forged lines, bidi, mentions, links). */
export const EVERY_HOSTILE_CLASS = [
  HOSTILE.screenClear,
  HOSTILE.windowTitle,
  HOSTILE.oscHyperlink,
  HOSTILE.eightBitCsi,
  HOSTILE.forgedLine,
  HOSTILE.carriageReturn,
  HOSTILE.lineSeparator,
  HOSTILE.bidi,
  HOSTILE.channel,
  HOSTILE.here,
  HOSTILE.user,
  HOSTILE.link,
].join(" ");

/** Characters that must never reach a terminal, an e-mail or Slack (C0 but tab/newline, DEL, C1, bidi, LS/PS). */
export const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters looked for
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** ESC or any C0/C1 control at all, newline and tab included (for one-line values). */
export const UNSAFE_IN_LINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters looked for
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** A `<`, `>` or an `&` that does not start one of the three entities Slack decodes. */
export const UNESCAPED_MRKDWN = /[<>]|&(?!amp;|lt;|gt;)/;

/** A line that starts with the forged status line `HOSTILE.forgedLine` tries to plant. */
export const FORGED_LINE = /^\s*PASS\s+2\.2 Enforce MFA/m;
