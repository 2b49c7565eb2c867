/**
 * Sigma search identifiers (selections) compiled to predicates over Directory Insights events.
 *
 * Semantics (Sigma specification, with the choices this engine makes):
 * - A selection map is the AND of its fields; a list of maps is the OR of the maps.
 * - A field's value list is an OR, unless the `all` modifier is given: then every value must match.
 * - Plain strings are compared case-insensitively over the whole value; `*` matches any sequence
 *   (newlines included) and `?` one character; `\*`, `\?` and `\\` are literal. `contains`, `startswith`
 *   and `endswith` keep the wildcards and the case-insensitivity. Matched in linear time (`glob.ts`).
 * - `re` is an RE2 regular expression (`regex.ts`), compiled at load time without flags (so
 *   case-sensitive, as in Sigma; `(?i)` inside the pattern makes it insensitive) and applied as a search,
 *   i.e. without implicit anchors. Backreferences and lookaround are refused at load, with the reason.
 * - `cidr` matches IPv4/IPv6 addresses (IPv4-mapped IPv6 is treated as IPv4) inside the given network.
 * - Numbers and booleans compare by value: `success: false` matches the boolean `false` and the string
 *   "false"; `5` matches the number 5 and the string "5". A string rule value is compared with the
 *   string form of a number or boolean event value.
 * - `null` matches a field that is missing or null (or an array with no non-null element).
 * - Field names are dotted paths (`initiated_by.email`); a literal key containing dots is tried first.
 *   When a value along the path is an array, every element is visited, and an array leaf matches when
 *   any element matches. `changes` is the exception: rules naming `changes.*` are judged one change at a
 *   time (see {@link CHANGES_FIELD} and `rules.ts`), so `changes.field` and `changes.to` meet in ONE change.
 * - Odd data never makes a rule throw: an oddly typed value (object, array, number where a string is
 *   expected, null) simply does not match a value it cannot equal; an unknown event type matches nothing.
 *   Two named errors stop matching on purpose (`budget.ts`): `EventTooDeepError` for an event nested
 *   deeper than the limit, and `BudgetExceededError` when a rule spent its work budget on the event.
 */
import ipaddr from "ipaddr.js";
import type { EventBudget } from "../types.js";
import { LIMITS, printableEventId } from "./budget.js";
import { EventTooDeepError } from "./errors.js";
import { compileGlob, foldCase, type GlobMode } from "./glob.js";
import { compileRegex, RegexRefusedError } from "./regex.js";

/** A compiled selection: whether the event matches, charging the work to `budget`. */
export type EventPredicate = (event: Record<string, unknown>, budget: EventBudget) => boolean;

/** A problem in a selection; the loader adds the file and rule. */
export class SelectionError extends Error {}

const TRANSFORMS = new Set(["contains", "startswith", "endswith", "re", "cidr"]);
const SUPPORTED = "contains, startswith, endswith, re, cidr, all";

type Scalar = string | number | boolean | null;

/** One value found at a field path, with its string form and (computed once, when needed) its case fold. */
interface Candidate {
  readonly raw: unknown;
  /** The string form of a string, number or boolean; undefined for anything else. */
  readonly text: string | undefined;
  /** `text` case-folded (charged to the budget the first time). */
  folded(): string;
}
type ValueMatcher = (candidate: Candidate, budget: EventBudget) => boolean;

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
export function perChangeViews(
  event: Record<string, unknown>,
  budget?: EventBudget,
): Record<string, unknown>[] {
  const changes = event[CHANGES_FIELD];
  if (!Array.isArray(changes) || changes.length === 0) return [event];
  // Each view copies the event's top-level keys: charged, so a huge `changes` list cannot stall a rule.
  budget?.charge(changes.length * (Object.keys(event).length + 1));
  return changes.map((change) => ({ ...event, [CHANGES_FIELD]: change }));
}

/**
 * Every value at a dotted path, arrays flattened. A missing path yields nothing. Each visited node costs
 * one unit of `budget`; nesting deeper than `LIMITS.maxDepth` throws `EventTooDeepError` (never a
 * `RangeError`), naming `root`'s id.
 */
export function resolvePath(root: unknown, path: string, budget?: EventBudget): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, segments: readonly string[], depth: number): void => {
    budget?.charge(1);
    if (depth > LIMITS.maxDepth) throw new EventTooDeepError(printableEventId(root), LIMITS.maxDepth);
    if (Array.isArray(value)) {
      for (const element of value) visit(element, segments, depth + 1);
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
        visit(value[key], segments.slice(take), depth + 1);
        return;
      }
    }
  };
  visit(root, path.split("."), 0);
  return out;
}

function stringForm(candidate: unknown): string | undefined {
  if (typeof candidate === "string") return candidate;
  if (typeof candidate === "number" || typeof candidate === "boolean") return String(candidate);
  return undefined;
}

/** The longest text that can be an IP address (IPv6 with an embedded IPv4 and a zone index); longer is none. */
const MAX_ADDRESS_LENGTH = 100;

function compileValue(field: string, transform: string | undefined, value: Scalar): ValueMatcher {
  if (value === null) {
    if (transform) throw new SelectionError(`field '${field}': null cannot be used with '${transform}'`);
    return (candidate) => candidate.raw === null || candidate.raw === undefined;
  }
  if (!transform && typeof value === "number") {
    return ({ raw, text }) => (typeof raw === "number" ? raw === value : text === String(value));
  }
  if (!transform && typeof value === "boolean") {
    return ({ raw }) =>
      typeof raw === "boolean"
        ? raw === value
        : typeof raw === "string" && raw.toLowerCase() === String(value);
  }
  const pattern = String(value);
  if (transform === "re") {
    let regex: ReturnType<typeof compileRegex>;
    try {
      regex = compileRegex(pattern);
    } catch (error) {
      if (error instanceof RegexRefusedError) throw new SelectionError(`field '${field}': ${error.message}`);
      throw error;
    }
    return ({ text }, budget) => {
      if (text === undefined) return false;
      budget.charge((text.length + 1) * regex.costPerChar);
      return regex.test(text);
    };
  }
  if (transform === "cidr") {
    let network: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      network = ipaddr.parseCIDR(pattern);
    } catch {
      throw new SelectionError(`field '${field}': invalid CIDR '${pattern}'`);
    }
    const [range, bits] = network;
    return ({ raw }, budget) => {
      if (typeof raw !== "string" || raw.length > MAX_ADDRESS_LENGTH) return false;
      budget.charge(raw.length + 1);
      if (!ipaddr.isValid(raw)) return false;
      const address = ipaddr.process(raw);
      return address.kind() === range.kind() && address.match(range, bits);
    };
  }
  const glob = compileGlob(pattern, (transform ?? "exact") as GlobMode);
  return (candidate, budget) => {
    if (candidate.text === undefined) return false;
    const folded = candidate.folded();
    budget.charge((folded.length + 1) * glob.costPerChar);
    return glob.test(folded);
  };
}

/** The candidates of one field on one event; each string is case-folded at most once, when first needed. */
function candidatesOf(values: readonly unknown[], budget: EventBudget): Candidate[] {
  return values.map((raw) => {
    const text = stringForm(raw);
    let folded: string | undefined;
    return {
      raw,
      text,
      folded(): string {
        if (folded === undefined) {
          budget.charge((text ?? "").length + 1);
          folded = foldCase(text ?? "");
        }
        return folded;
      },
    };
  });
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

  return (event, budget) => {
    const found = resolvePath(event, field, budget).filter((value) => value !== null && value !== undefined);
    const present = candidatesOf(found, budget);
    const test = (matcher: { isNull: boolean; match: ValueMatcher }): boolean =>
      matcher.isNull ? present.length === 0 : present.some((candidate) => matcher.match(candidate, budget));
    return all ? matchers.every(test) : matchers.some(test);
  };
}

function compileMap(name: string, map: Record<string, unknown>): EventPredicate {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SelectionError(`selection '${name}' is empty`);
  const fields = entries.map(([key, value]) => compileField(key, value));
  return (event, budget) => fields.every((predicate) => predicate(event, budget));
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
    return (event, budget) => maps.some((predicate) => predicate(event, budget));
  }
  throw new SelectionError(
    `selection '${name}': keyword search is not supported: name the field (a selection is a map or a list of maps)`,
  );
}
