/**
 * Sigma rule engine for JumpCloud Directory Insights events; implements the contract in `../types.ts`.
 * See `matcher.ts` (value matching), `condition.ts` (condition grammar), `rules.ts` (loading and
 * validation) and `detect.ts` (evaluation and correlation semantics). Two choices beyond plain Sigma,
 * both detailed in `detect.ts`: a rule naming `changes.*` is judged one element of `changes[]` at a
 * time, and a correlation leaves out events lacking a `group-by` field instead of pooling them.
 * Safety (`budget.ts`, `glob.ts`, `regex.ts`): linear-time matching, a work budget per rule and per
 * event, and events or rule files nested too deep refused with a clear error.
 */
export { type EvaluationLimits, EventMeter, LIMITS, printableEventId } from "./budget.js";
export { type ConditionNode, evaluateCondition, parseCondition } from "./condition.js";
export { type DetectOptions, detect } from "./detect.js";
export { BudgetExceededError, EventTooDeepError, RuleError } from "./errors.js";
export {
  type CorrelationExtras,
  type CorrelationOperator,
  type CorrelationRule,
  type EventRule,
  type EventRuleExtras,
  loadRules,
  parseRules,
} from "./rules.js";
