/** The output-safety layer: each class of hostile input, then properties over arbitrary strings. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cap,
  clean,
  cleanBlock,
  escapeHtml,
  escapeMrkdwn,
  isSecretField,
  MAX_NAME,
  maskSecrets,
  REDACTED,
  safeJson,
} from "../../../lambdas/shared/output-safety.js";
import { HOSTILE, UNESCAPED_MRKDWN, UNSAFE, UNSAFE_IN_LINE } from "./hostile.js";

const ESC = "\u001b";
/** No lone surrogate (String#isWellFormed is ES2024, past this project's lib). */
const wellFormed = (text: string) =>
  !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe("clean: terminal and e-mail", () => {
  it("removes CSI sequences (screen clear, cursor home, colours, 8-bit CSI), marking where they were", () => {
    expect(clean(HOSTILE.screenClear)).toBe("\uFFFD\uFFFDwiped");
    expect(clean(HOSTILE.eightBitCsi)).toBe("\uFFFDred");
    expect(clean(`${ESC}[1;31mbold${ESC}[0m`)).toBe("\uFFFDbold\uFFFD");
  });

  it("removes OSC and other string commands up to BEL or ST (window title, hyperlinks), and unterminated ones", () => {
    expect(clean(HOSTILE.windowTitle)).toBe("\uFFFDtitle");
    expect(clean(HOSTILE.oscHyperlink)).toBe("\uFFFDclick\uFFFD");
    expect(clean(`a${ESC}P1$r${ESC}\\b`)).toBe("a\uFFFDb"); // DCS
    expect(clean(`a${ESC}]0;never terminated`)).toBe("a\uFFFD");
    expect(clean("a\u009d0;title\u009cb")).toBe("a\uFFFDb"); // 8-bit OSC and ST
  });

  it("removes other escapes (reset, charset) and a lone ESC", () => {
    expect(clean(`a${ESC}cb`)).toBe("a\uFFFDb");
    expect(clean(`a${ESC}(Bb`)).toBe("a\uFFFDb");
    expect(clean(`a${ESC}`)).toBe("a\uFFFD");
  });

  it("never lets a value start a line: newlines, carriage returns, tabs and U+2028/U+2029 become spaces", () => {
    expect(clean(HOSTILE.forgedLine)).toBe("x PASS   2.2 Enforce MFA");
    expect(clean(HOSTILE.carriageReturn)).toBe("innocent PASS");
    expect(clean(HOSTILE.lineSeparator)).toBe("who PASS");
    expect(clean("a\r\nb\u2029c\u0085d\te")).toBe("a b c d e");
  });

  it("replaces other C0/C1 controls, DEL, bidi overrides, isolates and marks, and lone surrogates", () => {
    expect(clean(HOSTILE.bidi)).toBe("admin\uFFFDgnp.exe");
    expect(clean("a\u2066b\u2069c\u200fd\u061ce")).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
    expect(clean("a\u0000b\u0007c\u007fd\u0085e")).toBe("a\uFFFDb\uFFFDc\uFFFDd e");
    expect(clean("a\ud800b\udc00c")).toBe("a\uFFFDb\uFFFDc");
    expect(clean("emoji 😀 and accents é stay")).toBe("emoji 😀 and accents é stay");
  });

  it("caps names at 256 characters with an ellipsis, never splitting a surrogate pair", () => {
    const long = clean(HOSTILE.long);
    expect(long).toHaveLength(MAX_NAME);
    expect(long.endsWith("A…")).toBe(true);
    expect(clean("x".repeat(10), 5)).toBe("xxxx…");
    expect(cap("aaa😀b", 5)).toBe("aaa…");
    expect(clean(HOSTILE.long, Number.POSITIVE_INFINITY)).toHaveLength(60_000);
  });

  it("shows non-strings as text: numbers, booleans, absent as empty, objects as JSON with secrets masked", () => {
    expect(clean(42)).toBe("42");
    expect(clean(false)).toBe("false");
    expect(clean(undefined)).toBe("");
    expect(clean({ name: "n", sharedSecret: "hunter22" })).toBe(`{"name":"n","sharedSecret":"${REDACTED}"}`);
  });
});

describe("cleanBlock: several lines we built", () => {
  it("keeps our newlines, neutralizes everything else inside each line", () => {
    expect(cleanBlock(`title\n• ${ESC}[2Jname\rPASS\n\u2028end`)).toBe("title\n• \uFFFDname PASS\n end");
    expect(cleanBlock("a\r\nb")).toBe("a\nb");
  });
});

describe("escapeMrkdwn: Slack", () => {
  it("makes mentions and links inert text", () => {
    expect(escapeMrkdwn(HOSTILE.channel)).toBe("&lt;!channel&gt; wake up");
    expect(escapeMrkdwn(HOSTILE.here)).toBe("&lt;!here&gt;");
    expect(escapeMrkdwn(HOSTILE.user)).toBe("&lt;@U123&gt;");
    expect(escapeMrkdwn(HOSTILE.link)).toBe("&lt;https://evil.example|click here&gt;");
    // `&` first, so an entity typed by the attacker shows as typed.
    expect(escapeMrkdwn(HOSTILE.ampersand)).toBe("R&amp;D &amp;lt;");
  });
});

describe("escapeHtml", () => {
  it("escapes element content and quoted attribute values", () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;",
    );
  });
});

describe("safeJson", () => {
  it("escapes what JSON.stringify leaves raw and a terminal acts on; parses back to the same value", () => {
    const value = { name: `a\u009b2Jb\u2028c\u202ed${ESC}[2J`, n: [1, true, null] };
    const text = safeJson(value, 2);
    expect(text).not.toMatch(UNSAFE);
    expect(text).toContain("\\u009b");
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("maskSecrets", () => {
  it("masks secret-looking fields and the from/to of a change to one, keeping booleans and the rest", () => {
    const event = {
      event_type: "radius_server_update",
      sso_token_success: false,
      resource: { name: "radius", sharedSecret: "s3cr3t-value" },
      changes: [
        { field: "sharedSecret", from: "old-secret", to: "new-secret" },
        { field: "settings.password", from: "a", to: "b" },
        { field: "mfa", from: "DISABLED", to: "ENABLED" },
      ],
      auth: { api_key: "k-123", token: "t-1", passwordSet: true },
    };
    const masked = maskSecrets(event);
    expect(masked).toEqual({
      event_type: "radius_server_update",
      sso_token_success: false,
      resource: { name: "radius", sharedSecret: REDACTED },
      changes: [
        { field: "sharedSecret", from: REDACTED, to: REDACTED },
        { field: "settings.password", from: REDACTED, to: REDACTED },
        { field: "mfa", from: "DISABLED", to: "ENABLED" },
      ],
      auth: { api_key: REDACTED, token: REDACTED, passwordSet: true },
    });
    expect(JSON.stringify(masked)).not.toMatch(/s3cr3t|old-secret|new-secret|k-123|t-1/);
    expect(event.resource.sharedSecret).toBe("s3cr3t-value"); // a copy: the input is untouched
  });

  it("names secret fields in any casing, and not ordinary ones", () => {
    for (const name of ["sharedSecret", "PASSWORD", "x-api-key", "totp_secret", "privateKey", "token"])
      expect(isSecretField(name), name).toBe(true);
    for (const name of ["username", "sso_token_success", "keywords", "mfa", "client_ip"])
      expect(isSecretField(name), name).toBe(false);
  });

  it("replaces what is nested deeper than 64 levels instead of overflowing the stack (20,000 levels)", () => {
    let deep: unknown[] = [];
    const root = deep;
    for (let i = 0; i < 20_000; i++) {
      const next: unknown[] = [];
      deep.push(next);
      deep = next;
    }
    const text = safeJson(maskSecrets({ id: "e1", data: root }));
    expect(text).toContain("[nested too deep]");
    expect(JSON.parse(text).id).toBe("e1");
  });
});

// Arbitrary text with the hostile pieces mixed in, code unit by code unit (lone surrogates included).
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const piece = fc.oneof(
  fc.constantFrom(
    ESC,
    `${ESC}[`,
    `${ESC}]`,
    "\u0007",
    "\u009b",
    "\u009c",
    "\u009d",
    "\u202e",
    "\u2066",
    "\u2028",
    "\n",
    "\r",
    "<",
    ">",
    "&",
    "<!channel>",
    "&amp;",
    "\ud800",
    "\udc00",
    "😀",
  ),
  fc.string({ unit: "binary" }),
  fc.string({ unit: codeUnit }),
);
const printable = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
  fc.constantFrom("é", "ß", "日本", "😀", "€"),
);
const hostileText = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(""));

describe("properties", () => {
  it("clean never outputs ESC, C0, C1, bidi or line breaks, nor lone surrogates; it is idempotent", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = clean(text, Number.POSITIVE_INFINITY);
        expect(out).not.toMatch(UNSAFE_IN_LINE);
        expect(wellFormed(out)).toBe(true);
        expect(clean(out, Number.POSITIVE_INFINITY)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });

  it("cleanBlock keeps only our newlines", () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 5 }), (lines) => {
        const out = cleanBlock(lines.join("\n"));
        expect(out).not.toMatch(UNSAFE);
        expect(out.split("\n")).toHaveLength(lines.join("\n").replace(/\r\n/g, "\n").split("\n").length);
      }),
      { numRuns: 1000 },
    );
  });

  it("the cap is respected and safe text within it is left exactly as it is", () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 300 }), (text, max) => {
        const out = clean(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(wellFormed(out)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: printable, maxLength: 256 }), (text) => {
        expect(clean(text)).toBe(text);
      }),
    );
  });

  it("Slack text never holds an unescaped <, > or &", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = escapeMrkdwn(clean(text, Number.POSITIVE_INFINITY));
        expect(out).not.toMatch(UNESCAPED_MRKDWN);
        expect(out).not.toMatch(UNSAFE_IN_LINE);
      }),
      { numRuns: 2000 },
    );
  });

  it("HTML text never holds a raw <, >, quote or unescaped &", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(escapeHtml(text)).not.toMatch(/[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/);
      }),
      { numRuns: 1000 },
    );
  });

  it("safeJson parses back to the same value and holds no raw C1, bidi or line separator", () => {
    fc.assert(
      fc.property(fc.jsonValue(), hostileText, (value, text) => {
        const wrapped = { value, text };
        const out = safeJson(wrapped);
        expect(out).not.toMatch(UNSAFE);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(wrapped)));
      }),
      { numRuns: 500 },
    );
  });
});
