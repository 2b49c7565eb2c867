/**
 * Loading Sigma rule files: YAML documents → validated, compiled rules.
 *
 * A document with a `correlation` key is a correlation rule (Sigma v2, `event_count` only); any other
 * document is a detection rule. Everything this engine cannot evaluate faithfully is rejected here, at
 * load time, with a `RuleError` naming the file, the rule and the problem.
 */
import { isCollection, isPair, parseAllDocuments } from "yaml";
import * as z from "zod/mini";
import type { InsightsEvent } from "../../jumpcloud/types.js";
import "../../shared/zod-messages.js";
import type { CompiledRule, EventBudget, RuleMeta } from "../types.js";
import { freshMeter, LIMITS, withinDepth } from "./budget.js";
import { ConditionSyntaxError, evaluateCondition, isValidIdentifier, parseCondition } from "./condition.js";
import { RuleError } from "./errors.js";
import {
  compileSelection,
  type EventPredicate,
  perChangeViews,
  readsChanges,
  SelectionError,
  selectionFields,
} from "./matcher.js";

export type EventRule = Extract<CompiledRule, { kind: "event" }>;
export type CorrelationRule = Extract<CompiledRule, { kind: "correlation" }>;

export type CorrelationOperator = "gte" | "gt" | "eq" | "lte" | "lt";

/**
 * What the engine attaches to compiled rules beyond the contract in `../types.ts`. These properties are
 * optional so rules built by hand from the contract alone still work (`threshold` is then read as `gte`).
 */
export interface EventRuleExtras {
  /** Sigma v2 `name`, by which correlations may reference the rule. */
  name?: string;
  /** True when the rule names `changes.*` and is therefore judged one change at a time. */
  perChange?: boolean;
}
export interface CorrelationExtras {
  name?: string;
  /** The comparison in `condition`; `threshold` holds its value. Absent means `gte`. */
  operator?: CorrelationOperator;
  /** Sigma v2 `generate`: when not true, the base rules' own matches are not emitted. */
  generate?: boolean;
}

const STATUSES = ["stable", "test", "experimental", "deprecated", "unsupported"] as const;
const LEVELS = ["informational", "low", "medium", "high", "critical"] as const;
const OPERATORS: readonly CorrelationOperator[] = ["gte", "gt", "eq", "lte", "lt"];

const text = z.string().check(z.trim(), z.minLength(1, "must be a non-empty string"));
const stringList = z.pipe(
  z.optional(z.union([z.string(), z.array(z.string())])),
  z.transform((value: string | string[] | undefined) =>
    value === undefined ? [] : typeof value === "string" ? [value] : value,
  ),
);
const date = z.pipe(
  z.transform((value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : value)),
  z
    .string("must be a date YYYY-MM-DD")
    .check(z.regex(/^\d{4}[-/]\d{2}[-/]\d{2}$/, "must be a date YYYY-MM-DD")),
);

const metaShape = {
  title: text,
  id: z.guid("must be a UUID"),
  name: z.optional(text),
  status: z.enum(STATUSES),
  description: text,
  author: text,
  date,
  modified: z.optional(date),
  level: z.enum(LEVELS),
  tags: stringList,
  fields: stringList,
  falsepositives: stringList,
  references: stringList,
};

const detectionRuleSchema = z.looseObject({
  ...metaShape,
  logsource: z.looseObject({
    product: z.literal("jumpcloud", 'must be "jumpcloud"'),
    service: z.literal("directory_insights", 'must be "directory_insights"'),
  }),
  detection: z.looseObject({
    condition: z.string("must be a string").check(z.trim(), z.minLength(1, "must not be empty")),
  }),
});

const correlationRuleSchema = z.looseObject({
  ...metaShape,
  generate: z.optional(z.boolean()),
  correlation: z.strictObject({
    type: z.string(),
    rules: z.union([text, z.array(text).check(z.minLength(1, "must name at least one rule"))]),
    "group-by": z.optional(z.array(text)),
    timespan: z.union([z.string(), z.number()]),
    condition: z.record(z.string(), z.unknown()),
    generate: z.optional(z.boolean()),
  }),
});

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return true;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

function formatIssues(error: z.core.$ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      const message = issue.path.length > 0 && isMissing(input, issue.path) ? "is required" : issue.message;
      return path ? `${path}: ${message}` : message;
    })
    .join("; ");
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseTimespan(value: string | number): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(String(value).trim());
  if (!match?.[1] || !match[2]) return undefined;
  const amount = Number(match[1]);
  const unit = UNITS[match[2]];
  return amount > 0 && unit ? amount * unit : undefined;
}

function describeRule(doc: Record<string, unknown>): { label: string; id?: string } {
  const title = typeof doc.title === "string" ? doc.title : undefined;
  const id = typeof doc.id === "string" ? doc.id : undefined;
  if (title && id) return { label: `rule "${title}" (${id})`, id };
  if (title) return { label: `rule "${title}"` };
  if (id) return { label: `rule ${id}`, id };
  return { label: "rule" };
}

function meta(
  parsed: z.infer<typeof detectionRuleSchema> | z.infer<typeof correlationRuleSchema>,
  source: string,
): RuleMeta {
  return {
    id: parsed.id,
    title: parsed.title,
    status: parsed.status,
    description: parsed.description,
    level: parsed.level,
    tags: parsed.tags,
    fields: parsed.fields,
    falsepositives: parsed.falsepositives,
    references: parsed.references,
    source,
  };
}

function compileDetectionRule(
  doc: Record<string, unknown>,
  source: string,
  fail: (problem: string) => never,
): CompiledRule {
  const detection = doc.detection;
  if (detection && typeof detection === "object" && !Array.isArray(detection) && "timeframe" in detection) {
    fail(
      "detection.timeframe (legacy aggregation) is not supported: write a correlation rule with a timespan instead",
    );
  }
  const result = detectionRuleSchema.safeParse(doc);
  if (!result.success) fail(formatIssues(result.error, doc));
  const parsed = result.data;
  const { condition, ...selections } = parsed.detection;

  const predicates = new Map<string, EventPredicate>();
  for (const [name, definition] of Object.entries(selections)) {
    if (!isValidIdentifier(name)) {
      fail(
        `detection: '${name}' is not a valid selection name (letters, digits, '_' and '-'; not a keyword)`,
      );
    }
    try {
      predicates.set(name, compileSelection(name, definition));
    } catch (error) {
      if (error instanceof SelectionError) fail(`detection: ${error.message}`);
      throw error;
    }
  }
  if (predicates.size === 0) fail("detection: no selection is defined");

  let tree: ReturnType<typeof parseCondition>;
  try {
    tree = parseCondition(condition, [...predicates.keys()]);
  } catch (error) {
    if (error instanceof ConditionSyntaxError) fail(`detection.condition: ${error.message}`);
    throw error;
  }

  const evaluate = (view: Record<string, unknown>, budget: EventBudget): boolean => {
    const memo = new Map<string, boolean>();
    return evaluateCondition(tree, (name) => {
      let value = memo.get(name);
      if (value === undefined) {
        value = predicates.get(name)?.(view, budget) ?? false;
        memo.set(name, value);
      }
      return value;
    });
  };
  // A rule that names `changes.*` anywhere judges the whole condition once per change (see detect.ts).
  const perChange = Object.entries(selections).some(([, definition]) =>
    selectionFields(definition).some(readsChanges),
  );

  const rule: EventRule & EventRuleExtras = {
    ...meta(parsed, source),
    kind: "event",
    matches(event: InsightsEvent, budget?: EventBudget): boolean {
      // Events come from an API: anything but an object is an event this rule cannot be about.
      if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
      const meter = budget ?? freshMeter();
      return perChange
        ? perChangeViews(event, meter).some((view) => evaluate(view, meter))
        : evaluate(event, meter);
    },
  };
  if (parsed.name) rule.name = parsed.name;
  if (perChange) rule.perChange = true;
  return rule;
}

function compileCorrelationRule(
  doc: Record<string, unknown>,
  source: string,
  fail: (problem: string) => never,
): CompiledRule {
  const correlation = doc.correlation;
  if (correlation && typeof correlation === "object" && !Array.isArray(correlation)) {
    const type = (correlation as Record<string, unknown>).type;
    if (type !== "event_count") {
      fail(`correlation.type '${String(type)}' is not supported (only event_count)`);
    }
  }
  if ("detection" in doc) fail("a document cannot have both 'correlation' and 'detection'");
  const result = correlationRuleSchema.safeParse(doc);
  if (!result.success) fail(formatIssues(result.error, doc));
  const parsed = result.data;
  const spec = parsed.correlation;

  const timespanMs = parseTimespan(spec.timespan);
  if (timespanMs === undefined) {
    fail(
      `correlation.timespan '${spec.timespan}' is invalid: use a positive integer and s, m, h or d (e.g. 10m)`,
    );
  }
  const conditions = Object.entries(spec.condition);
  if (conditions.length !== 1) {
    fail(
      `correlation.condition must have exactly one of ${OPERATORS.join(", ")} (got ${conditions.length} keys)`,
    );
  }
  const [operatorKey = "", threshold] = conditions[0] ?? [];
  if (operatorKey === "field")
    fail("correlation.condition.field is only for value_count, which is not supported");
  if (!OPERATORS.includes(operatorKey as CorrelationOperator)) {
    fail(`correlation.condition '${operatorKey}' is not supported (use one of ${OPERATORS.join(", ")})`);
  }
  if (typeof threshold !== "number" || !Number.isInteger(threshold) || threshold < 0) {
    fail(`correlation.condition.${operatorKey} must be a non-negative integer`);
  }
  const generate = spec.generate ?? parsed.generate;

  const rule: CorrelationRule & CorrelationExtras = {
    ...meta(parsed, source),
    kind: "correlation",
    baseRuleIds: typeof spec.rules === "string" ? [spec.rules] : [...spec.rules],
    groupBy: spec["group-by"] ?? [],
    timespanMs,
    threshold,
    operator: operatorKey as CorrelationOperator,
    generate: generate === true,
  };
  if (parsed.name) rule.name = parsed.name;
  return rule;
}

/**
 * Resolves correlation references (`rules:` entries, by id or Sigma `name`) to rule ids, in place.
 * With `strict`, an unknown reference is an error; otherwise it is left for a later, wider resolution.
 */
function resolveReferences(rules: CompiledRule[], strict: boolean): void {
  const byRef = new Map<string, CompiledRule>();
  for (const rule of rules) {
    byRef.set(rule.id, rule);
    const name = (rule as EventRuleExtras).name;
    if (name && !byRef.has(name)) byRef.set(name, rule);
  }
  for (const rule of rules) {
    if (rule.kind !== "correlation") continue;
    rule.baseRuleIds = rule.baseRuleIds.map((ref) => {
      const target = byRef.get(ref);
      if (!target) {
        if (strict) {
          throw new RuleError(
            `${rule.source}: rule "${rule.title}" (${rule.id}): correlation references unknown rule '${ref}'`,
            rule.source,
            rule.id,
          );
        }
        return ref;
      }
      if (target.kind === "correlation") {
        throw new RuleError(
          `${rule.source}: rule "${rule.title}" (${rule.id}): correlation references correlation '${ref}': chained correlations are not supported`,
          rule.source,
          rule.id,
        );
      }
      return target.id;
    });
  }
}

const TOO_DEEP = `nested deeper than ${LIMITS.maxDepth} levels of maps and lists`;

/**
 * The nesting of a YAML syntax tree as plain arrays (one per map or list), built iteratively so that
 * `withinDepth` can measure it without recursion. Scalars and aliases are leaves.
 */
function yamlShape(root: unknown): unknown {
  const shapeOf = new Map<unknown, unknown[]>();
  const stack: unknown[] = [];
  const shape = (node: unknown): unknown => {
    if (!isCollection(node)) return 0;
    let entry = shapeOf.get(node);
    if (!entry) {
      entry = [];
      shapeOf.set(node, entry);
      stack.push(node);
    }
    return entry;
  };
  const top = shape(root);
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isCollection(node)) continue;
    const entry = shapeOf.get(node) as unknown[];
    // A map's pairs are not levels of their own: keys and values sit one level below the map.
    for (const item of node.items) {
      if (isPair(item)) entry.push(shape(item.key), shape(item.value));
      else entry.push(shape(item));
    }
  }
  return top;
}

/**
 * Parses and compiles every YAML document of one rule file. References from correlation rules to rules of
 * the same file are resolved to ids; the others are left for `loadRules`, which checks them all.
 */
export function parseRules(yamlText: string, source: string): CompiledRule[] {
  const documents = parseAllDocuments(yamlText, { uniqueKeys: true });
  if (!Array.isArray(documents)) {
    throw new RuleError(`${source}: not a YAML rule file`, source);
  }
  const rules: CompiledRule[] = [];
  documents.forEach((document, index) => {
    const where = documents.length > 1 ? ` (document ${index + 1})` : "";
    const firstError = document.errors[0];
    if (firstError?.code === "RESOURCE_EXHAUSTION") {
      // The YAML parser ran out of stack: only a document nested far too deep does that.
      throw new RuleError(`${source}${where}: ${TOO_DEEP} (the YAML parser gave up)`, source);
    }
    if (firstError) {
      throw new RuleError(`${source}${where}: invalid YAML: ${firstError.message}`, source);
    }
    // Measured on the syntax tree before `toJS`, whose walk is recursive; again after, for aliases.
    if (!withinDepth(yamlShape(document.contents), LIMITS.maxDepth)) {
      throw new RuleError(`${source}${where}: ${TOO_DEEP}`, source);
    }
    let doc: unknown;
    try {
      doc = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // e.g. aliases expanding past maxAliasCount ("billion laughs").
      throw new RuleError(`${source}${where}: invalid YAML: ${(error as Error).message}`, source);
    }
    if (!withinDepth(doc, LIMITS.maxDepth)) throw new RuleError(`${source}${where}: ${TOO_DEEP}`, source);
    if (doc === null || doc === undefined) return; // empty document, e.g. a trailing `---`
    if (typeof doc !== "object" || Array.isArray(doc)) {
      throw new RuleError(`${source}${where}: a rule document must be a YAML map`, source);
    }
    const record = doc as Record<string, unknown>;
    const { label, id } = describeRule(record);
    const fail = (problem: string): never => {
      throw new RuleError(`${source}${where}: ${label}: ${problem}`, source, id);
    };
    if ("action" in record) fail("rule collections ('action: global/repeat/reset') are not supported");
    rules.push(
      "correlation" in record
        ? compileCorrelationRule(record, source, fail)
        : compileDetectionRule(record, source, fail),
    );
  });
  checkUniqueIds(rules);
  resolveReferences(rules, false);
  return rules;
}

function checkUniqueIds(rules: readonly CompiledRule[]): void {
  const seen = new Map<string, CompiledRule>();
  const names = new Map<string, CompiledRule>();
  for (const rule of rules) {
    const previous = seen.get(rule.id);
    if (previous) {
      const where = previous.source === rule.source ? rule.source : `${previous.source} and ${rule.source}`;
      throw new RuleError(
        `duplicate rule id ${rule.id} in ${where} ("${previous.title}" and "${rule.title}")`,
        rule.source,
        rule.id,
      );
    }
    seen.set(rule.id, rule);
    const name = (rule as EventRuleExtras).name;
    if (name) {
      const sameName = names.get(name);
      if (sameName) {
        const where = sameName.source === rule.source ? rule.source : `${sameName.source} and ${rule.source}`;
        throw new RuleError(`duplicate rule name '${name}' in ${where}`, rule.source, rule.id);
      }
      names.set(name, rule);
    }
  }
}

/** Parses every file, then checks ids (and names) are unique across files and resolves all correlation references. */
export function loadRules(texts: { source: string; text: string }[]): CompiledRule[] {
  const rules = texts.flatMap(({ source, text }) => parseRules(text, source));
  checkUniqueIds(rules);
  resolveReferences(rules, true);
  return rules;
}
