/**
 * Sigma search identifiers (selections) compiled to predicates over Directory Insights events.
 *
 * Semantics (Sigma specification, with the choices this engine makes):
 * - A selection map is the AND of its fields; a list of maps is the OR of the maps.
 * - A field's value list is an OR, unless the `all` modifier is given: then every value must match.
 * - Plain strings are compared case-insensitively over the whole value; `*` matches any sequence
 *   (newlines included) and `?` one character; `\*`, `\?` and `\\` are literal. `contains`, `startswith`
 *   and `endswith` keep the wildcards and the case-insensitivity.
 * - `re` is a JavaScript RegExp, compiled at load time without flags (so case-sensitive, as in Sigma)
 *   and applied with `RegExp.test`, i.e. without implicit anchors. Inline flags like `(?i)` are invalid
 *   JavaScript and are rejected at load.
 * - `cidr` matches IPv4/IPv6 addresses (IPv4-mapped IPv6 is treated as IPv4) inside the given network.
 * - Numbers and booleans compare by value: `success: false` matches the boolean `false` and the string
 *   "false"; `5` matches the number 5 and the string "5". A string rule value is compared with the
 *   string form of a number or boolean event value.
 * - `null` matches a field that is missing or null (or an array with no non-null element).
 * - Field names are dotted paths (`initiated_by.email`); a literal key containing dots is tried first.
 *   When a value along the path is an array, every element is visited, and an array leaf matches when
 *   any element matches. `changes` is the exception: rules naming `changes.*` are judged one change at a
 *   time (see {@link CHANGES_FIELD} and `rules.ts`), so `changes.field` and `changes.to` meet in ONE change.
 * - Matching never throws on the event's data: an oddly typed value (object, array, number where a string
 *   is expected, null) simply does not match a value it cannot equal; an unknown event type matches nothing.
 */
import ipaddr from "ipaddr.js";

export type EventPredicate = (event: Record<string, unknown>) => boolean;

/** A problem in a selection; the loader adds the file and rule. */
export class SelectionError extends Error {}

const TRANSFORMS = new Set(["contains", "startswith", "endswith", "re", "cidr"]);
const SUPPORTED = "contains, startswith, endswith, re, cidr, all";

type Scalar = string | number | boolean | null;
type ValueMatcher = (candidate: unknown) => boolean;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The event field whose elements are judged one at a time. Directory Insights records each change of an
 * update as `{field, from, to}` in `changes[]`; a condition about one setting must not be satisfied by the
 * `field` of one change and the `to` of another.
 */
export const CHANGES_FIELD = "changes";

/** Whether a selection field path (without modifiers) reads `changes` or something inside it. */
export function readsChanges(field: string): boolean {
  return field === CHANGES_FIELD || field.startsWith(`${CHANGES_FIELD}.`);
}

/**
 * The field paths a selection definition names (modifiers stripped), for load-time analysis. Tolerates
 * any shape: what is not a map or a list of maps names no field (`compileSelection` rejects it).
 */
export function selectionFields(definition: unknown): string[] {
  const maps = Array.isArray(definition) ? definition : [definition];
  return maps.flatMap((map) =>
    isPlainObject(map) ? Object.keys(map).map((key) => key.split("|")[0] ?? "") : [],
  );
}

/**
 * The views of `event` a changes-scoped rule is evaluated on: one per element of a non-empty `changes`
 * array, each a shallow copy with `changes` bound to that single element. Anything else (no `changes`,
 * an empty list, a single object, an odd type) gives the event itself, evaluated once.
 */
export function perChangeViews(event: Record<string, unknown>): Record<string, unknown>[] {
  const changes = event[CHANGES_FIELD];
  if (!Array.isArray(changes) || changes.length === 0) return [event];
  return changes.map((change) => ({ ...event, [CHANGES_FIELD]: change }));
}

/** Every value at a dotted path, arrays flattened. A missing path yields nothing. */
export function resolvePath(root: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, segments: readonly string[]): void => {
    if (Array.isArray(value)) {
      for (const element of value) visit(element, segments);
      return;
    }
    if (segments.length === 0) {
      out.push(value);
      return;
    }
    if (!isPlainObject(value)) return;
    // Longest literal key first, so a key that itself contains dots still resolves.
    for (let take = segments.length; take >= 1; take--) {
      const key = segments.slice(0, take).join(".");
      if (Object.hasOwn(value, key)) {
        visit(value[key], segments.slice(take));
        return;
      }
    }
  };
  visit(root, path.split("."));
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** Sigma wildcard pattern → regular expression source (unanchored). */
export function wildcardToRegExpSource(pattern: string): string {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\") {
      const following = pattern.charAt(i + 1);
      if (following === "*" || following === "?" || following === "\\") {
        source += escapeRegExp(following);
        i++;
      } else {
        source += "\\\\";
      }
    } else if (ch === "*") {
      source += ".*";
    } else if (ch === "?") {
      source += ".";
    } else {
      source += escapeRegExp(ch);
    }
  }
  return source;
}

function stringForm(candidate: unknown): string | undefined {
  if (typeof candidate === "string") return candidate;
  if (typeof candidate === "number" || typeof candidate === "boolean") return String(candidate);
  return undefined;
}

function compileValue(field: string, transform: string | undefined, value: Scalar): ValueMatcher {
  if (value === null) {
    if (transform) throw new SelectionError(`field '${field}': null cannot be used with '${transform}'`);
    return (candidate) => candidate === null || candidate === undefined;
  }
  if (!transform && typeof value === "number") {
    return (candidate) =>
      typeof candidate === "number" ? candidate === value : stringForm(candidate) === String(value);
  }
  if (!transform && typeof value === "boolean") {
    return (candidate) =>
      typeof candidate === "boolean"
        ? candidate === value
        : typeof candidate === "string" && candidate.toLowerCase() === String(value);
  }
  const text = String(value);
  if (transform === "re") {
    let regex: RegExp;
    try {
      regex = new RegExp(text);
    } catch (error) {
      throw new SelectionError(
        `field '${field}': invalid regular expression '${text}': ${(error as Error).message}`,
      );
    }
    return (candidate) => {
      const s = stringForm(candidate);
      return s !== undefined && regex.test(s);
    };
  }
  if (transform === "cidr") {
    let network: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      network = ipaddr.parseCIDR(text);
    } catch {
      throw new SelectionError(`field '${field}': invalid CIDR '${text}'`);
    }
    const [range, bits] = network;
    return (candidate) => {
      if (typeof candidate !== "string" || !ipaddr.isValid(candidate)) return false;
      const address = ipaddr.process(candidate);
      return address.kind() === range.kind() && address.match(range, bits);
    };
  }
  let source = wildcardToRegExpSource(text);
  if (transform === "contains") source = `.*${source}.*`;
  else if (transform === "startswith") source = `${source}.*`;
  else if (transform === "endswith") source = `.*${source}`;
  const regex = new RegExp(`^${source}$`, "is");
  return (candidate) => {
    const s = stringForm(candidate);
    return s !== undefined && regex.test(s);
  };
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function compileField(key: string, raw: unknown): EventPredicate {
  const [field = "", ...modifiers] = key.split("|");
  if (field === "") {
    throw new SelectionError(`'${key}': keyword search is not supported: name the field`);
  }
  let transform: string | undefined;
  let all = false;
  for (const modifier of modifiers) {
    if (modifier === "all") {
      if (all) throw new SelectionError(`field '${field}': modifier 'all' given twice`);
      all = true;
    } else if (TRANSFORMS.has(modifier)) {
      if (transform) {
        throw new SelectionError(
          `field '${field}': modifiers '${transform}' and '${modifier}' cannot be combined`,
        );
      }
      transform = modifier;
    } else {
      throw new SelectionError(
        `field '${field}': unknown or unsupported modifier '${modifier}' (supported: ${SUPPORTED})`,
      );
    }
  }
  const values: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new SelectionError(`field '${field}': empty value list`);
  const matchers = values.map((value) => {
    if (!isScalar(value)) {
      throw new SelectionError(
        `field '${field}': values must be strings, numbers, booleans or null (use a dotted field path for nested objects)`,
      );
    }
    return { isNull: value === null, match: compileValue(field, transform, value) };
  });

  return (event) => {
    const candidates = resolvePath(event, field);
    const present = candidates.filter((candidate) => candidate !== null && candidate !== undefined);
    const test = (matcher: { isNull: boolean; match: ValueMatcher }): boolean =>
      matcher.isNull ? present.length === 0 : present.some(matcher.match);
    return all ? matchers.every(test) : matchers.some(test);
  };
}

function compileMap(name: string, map: Record<string, unknown>): EventPredicate {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SelectionError(`selection '${name}' is empty`);
  const fields = entries.map(([key, value]) => compileField(key, value));
  return (event) => fields.every((predicate) => predicate(event));
}

/** Compiles one search identifier's definition. */
export function compileSelection(name: string, definition: unknown): EventPredicate {
  if (isPlainObject(definition)) return compileMap(name, definition);
  if (Array.isArray(definition)) {
    if (definition.length === 0) throw new SelectionError(`selection '${name}' is empty`);
    if (!definition.every(isPlainObject)) {
      throw new SelectionError(
        `selection '${name}': keyword search is not supported: name the field (a selection is a map or a list of maps)`,
      );
    }
    const maps = definition.map((map) => compileMap(name, map));
    return (event) => maps.some((predicate) => predicate(event));
  }
  throw new SelectionError(
    `selection '${name}': keyword search is not supported: name the field (a selection is a map or a list of maps)`,
  );
}
