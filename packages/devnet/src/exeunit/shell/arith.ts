import { ShellError } from './ShellError.js';

const TOKEN_RE =
  /\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_][A-Za-z0-9_]*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%()<>!~&|^?:])/y;

/** Binary operators by precedence, lowest first. */
const LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/**
 * Evaluates a POSIX arithmetic expression (`$(( … ))`) on integers: literals (decimal, hex),
 * variable names, unary `+ - ! ~`, the binary operators of C, and `?:`. Division truncates.
 *
 * @throws {ShellError} on a syntax error or a division by zero (status 1).
 */
export function evaluateArithmetic(expr: string, lookup: (name: string) => string | undefined): number {
  const tokens: string[] = [];
  TOKEN_RE.lastIndex = 0;
  let at = 0;
  while (at < expr.length) {
    if (/^\s*$/.test(expr.slice(at))) break;
    TOKEN_RE.lastIndex = at;
    const m = TOKEN_RE.exec(expr);
    if (m === null)
      throw arithError(`syntax error in expression (error token is "${expr.slice(at).trim()}")`);
    tokens.push(m[1]!);
    at = TOKEN_RE.lastIndex;
  }
  let i = 0;
  const peek = (): string | undefined => tokens[i];

  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw arithError('syntax error: operand expected');
    if (t === '(') {
      const v = ternary();
      if (tokens[i++] !== ')') throw arithError("syntax error: ')' expected");
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '!') return primary() === 0 ? 1 : 0;
    if (t === '~') return ~primary();
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    if (/^\d/.test(t)) return parseInt(t, 10);
    if (/^[A-Za-z_]/.test(t)) {
      const raw = (lookup(t) ?? '').trim();
      if (raw === '') return 0;
      if (!/^-?\d+$/.test(raw)) throw arithError(`${t}: value is not an integer: "${raw}"`);
      return parseInt(raw, 10);
    }
    throw arithError(`syntax error: operand expected (error token is "${t}")`);
  };

  const binary = (level: number): number => {
    if (level >= LEVELS.length) return primary();
    let left = binary(level + 1);
    for (let op = peek(); op !== undefined && LEVELS[level]!.includes(op); op = peek()) {
      i++;
      const right = binary(level + 1);
      left = apply(op, left, right);
    }
    return left;
  };

  const ternary = (): number => {
    const cond = binary(0);
    if (peek() !== '?') return cond;
    i++;
    const a = ternary();
    if (tokens[i++] !== ':') throw arithError("syntax error: ':' expected");
    const b = ternary();
    return cond !== 0 ? a : b;
  };

  if (tokens.length === 0) return 0;
  const result = ternary();
  if (i !== tokens.length) throw arithError(`syntax error in expression (error token is "${tokens[i]}")`);
  return result;
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '%':
      if (b === 0) throw arithError('division by 0');
      return op === '/' ? Math.trunc(a / b) : a % b;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '&':
      return a & b;
    case '^':
      return a ^ b;
    case '|':
      return a | b;
    case '&&':
      return a !== 0 && b !== 0 ? 1 : 0;
    default:
      return a !== 0 || b !== 0 ? 1 : 0;
  }
}

function arithError(message: string): ShellError {
  return new ShellError(`arithmetic: ${message}`, { status: 1 });
}
