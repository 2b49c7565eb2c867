/**
 * Sigma rule engine for JumpCloud Directory Insights events; implements the contract in `../types.ts`.
 * See `matcher.ts` (value matching), `condition.ts` (condition grammar), `rules.ts` (loading and
 * validation) and `detect.ts` (evaluation and correlation semantics).
 */
export { type ConditionNode, evaluateCondition, parseCondition } from "./condition.js";
export { detect } from "./detect.js";
export { RuleError } from "./errors.js";
export {
  type CorrelationExtras,
  type CorrelationOperator,
  type CorrelationRule,
  type EventRule,
  type EventRuleExtras,
  loadRules,
  parseRules,
} from "./rules.js";
