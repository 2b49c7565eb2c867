/**
 * Sigma `detection.condition` grammar, parsed by recursive descent.
 *
 *   expr    := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | primary
 *   primary := "(" expr ")" | ("1" | "all") "of" (pattern | "them") | identifier
 *
 * Precedence: not > and > or. Keywords are lowercase. A pattern is an identifier that may contain `*`.
 * `them` means every search identifier not starting with `_` (Sigma). Everything is resolved against the
 * rule's selection names at load time: an unknown identifier, a pattern matching nothing, the legacy
 * aggregation pipe (`| count() ...`) and `near` are errors, reported with the position and token.
 */

export type ConditionNode =
  | { type: "id"; name: string }
  | { type: "not"; operand: ConditionNode }
  | { type: "and" | "or"; operands: ConditionNode[] };

/** A syntax or resolution problem in a condition; `position` is the 1-based column. */
export class ConditionSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly position: number,
    readonly token: string,
    condition: string,
  ) {
    super(`condition "${condition}": ${problem} at position ${position} (token '${token}')`);
    this.name = "ConditionSyntaxError";
  }
}

interface Token {
  kind: "lparen" | "rparen" | "word" | "pipe" | "end";
  text: string;
  /** 1-based column. */
  pos: number;
}

const WORD = /[A-Za-z0-9_*-]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(") {
      tokens.push({ kind: "lparen", text: ch, pos: i + 1 });
      i++;
    } else if (ch === ")") {
      tokens.push({ kind: "rparen", text: ch, pos: i + 1 });
      i++;
    } else if (ch === "|") {
      tokens.push({ kind: "pipe", text: ch, pos: i + 1 });
      i++;
    } else if (WORD.test(ch)) {
      const start = i;
      while (i < text.length && WORD.test(text.charAt(i))) i++;
      tokens.push({ kind: "word", text: text.slice(start, i), pos: start + 1 });
    } else {
      throw new ConditionSyntaxError("unexpected character", i + 1, ch, text);
    }
  }
  tokens.push({ kind: "end", text: "<end>", pos: text.length + 1 });
  return tokens;
}

const PIPE_PROBLEM =
  "the aggregation pipe ('| count() ...') is not supported: write a correlation rule (type event_count) instead";

const KEYWORDS = new Set(["and", "or", "not", "of", "them", "all", "near"]);

/** Whether a selection name can be referenced from a condition. */
export function isValidIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) && !KEYWORDS.has(name);
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

/**
 * Parses `text` against the rule's selection names (`identifiers`, in declaration order).
 * Quantifiers (`1 of x*`, `all of them`) are expanded to `or`/`and` nodes here.
 */
export function parseCondition(text: string, identifiers: readonly string[]): ConditionNode {
  const pipe = text.indexOf("|");
  if (pipe >= 0) throw new ConditionSyntaxError(PIPE_PROBLEM, pipe + 1, "|", text);
  const tokens = tokenize(text);
  const known = new Set(identifiers);
  let index = 0;

  const peek = (): Token => tokens[index] ?? { kind: "end", text: "<end>", pos: text.length + 1 };
  const next = (): Token => {
    const token = peek();
    if (token.kind !== "end") index++;
    return token;
  };
  const fail = (problem: string, token: Token): never => {
    throw new ConditionSyntaxError(problem, token.pos, token.text, text);
  };
  const isWord = (token: Token, word: string): boolean => token.kind === "word" && token.text === word;

  const parseExpr = (): ConditionNode => {
    const operands = [parseAnd()];
    while (isWord(peek(), "or")) {
      next();
      operands.push(parseAnd());
    }
    return operands.length === 1 && operands[0] ? operands[0] : { type: "or", operands };
  };

  const parseAnd = (): ConditionNode => {
    const operands = [parseUnary()];
    while (isWord(peek(), "and")) {
      next();
      operands.push(parseUnary());
    }
    return operands.length === 1 && operands[0] ? operands[0] : { type: "and", operands };
  };

  const parseUnary = (): ConditionNode => {
    if (isWord(peek(), "not")) {
      next();
      return { type: "not", operand: parseUnary() };
    }
    return parsePrimary();
  };

  const parseQuantifier = (quantifier: Token): ConditionNode => {
    const of = next();
    if (!isWord(of, "of")) fail(`expected 'of' after '${quantifier.text}'`, of);
    const target = next();
    if (target.kind !== "word" || (KEYWORDS.has(target.text) && target.text !== "them")) {
      fail("expected a selection pattern or 'them'", target);
    }
    const names =
      target.text === "them"
        ? identifiers.filter((name) => !name.startsWith("_"))
        : identifiers.filter((name) => globToRegExp(target.text).test(name));
    if (names.length === 0) fail(`'${target.text}' matches no selection`, target);
    return {
      type: quantifier.text === "all" ? "and" : "or",
      operands: names.map((name) => ({ type: "id", name })),
    };
  };

  const parsePrimary = (): ConditionNode => {
    const token = next();
    switch (token.kind) {
      case "lparen": {
        const inner = parseExpr();
        const close = next();
        if (close.kind !== "rparen") fail("expected ')'", close);
        return inner;
      }
      case "pipe":
        return fail(PIPE_PROBLEM, token);
      case "word": {
        if (token.text === "near") return fail("'near' is not supported", token);
        if (token.text === "all" || token.text === "1") return parseQuantifier(token);
        if (/^\d+$/.test(token.text) && isWord(peek(), "of")) {
          return fail("only '1 of' and 'all of' are supported", token);
        }
        if (KEYWORDS.has(token.text)) return fail("unexpected keyword", token);
        if (token.text.includes("*")) return fail("a wildcard pattern needs '1 of' or 'all of'", token);
        if (!known.has(token.text)) return fail("unknown selection identifier", token);
        return { type: "id", name: token.text };
      }
      default:
        return fail("expected a selection identifier, 'not', '1 of', 'all of' or '('", token);
    }
  };

  const tree = parseExpr();
  const rest = peek();
  if (rest.kind !== "end") fail("unexpected token", rest);
  return tree;
}

/** Evaluates a parsed condition given the truth value of each selection. */
export function evaluateCondition(node: ConditionNode, selection: (name: string) => boolean): boolean {
  switch (node.type) {
    case "id":
      return selection(node.name);
    case "not":
      return !evaluateCondition(node.operand, selection);
    case "and":
      return node.operands.every((operand) => evaluateCondition(operand, selection));
    case "or":
      return node.operands.some((operand) => evaluateCondition(operand, selection));
  }
}
