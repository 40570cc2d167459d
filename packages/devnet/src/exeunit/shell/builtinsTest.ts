import { isShellError, ShellError } from './ShellError.js';
import type { CommandContext, CommandHandler } from './types.js';

const UNARY = new Set(['-e', '-f', '-d', '-s', '-z', '-n', '-r', '-w', '-x']);
const BINARY = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

/**
 * `test EXPR` / `[ EXPR ]`: file tests (`-e -f -d -s -r -w -x`), string tests (`-z -n = != ==`),
 * integer comparisons (`-eq -ne -lt -le -gt -ge`), `!`, and `-a` / `-o` (left to right).
 * Status 0 true, 1 false, 2 on a malformed expression.
 */
function testExpression(args: readonly string[], ctx: CommandContext): number {
  let i = 0;
  const fail = (msg: string): never => {
    throw new ShellError(msg);
  };
  const primary = (): boolean => {
    const a = args[i];
    if (a === undefined) return fail('argument expected');
    if (a === '!') {
      i++;
      return !primary();
    }
    if (a === '(') {
      i++;
      const v = or();
      if (args[i++] !== ')') fail("')' expected");
      return v;
    }
    const op = args[i + 1];
    if (op !== undefined && BINARY.has(op) && args[i + 2] !== undefined) {
      const b = args[i + 2]!;
      i += 3;
      return compare(a, op, b);
    }
    if (UNARY.has(a) && args[i + 1] !== undefined) {
      const operand = args[i + 1]!;
      i += 2;
      return unary(a, operand);
    }
    i++;
    return a !== '';
  };
  const compare = (a: string, op: string, b: string): boolean => {
    if (op === '=' || op === '==') return a === b;
    if (op === '!=') return a !== b;
    if (!/^\s*-?\d+\s*$/.test(a) || !/^\s*-?\d+\s*$/.test(b))
      fail(`integer expression expected: ${/^\s*-?\d+\s*$/.test(a) ? b : a}`);
    const x = Number(a);
    const y = Number(b);
    return (
      { '-eq': x === y, '-ne': x !== y, '-lt': x < y, '-le': x <= y, '-gt': x > y, '-ge': x >= y }[op] ??
      false
    );
  };
  const unary = (op: string, operand: string): boolean => {
    if (op === '-z') return operand === '';
    if (op === '-n') return operand !== '';
    const st = ctx.fs.stat(ctx.resolvePath(operand));
    if (op === '-f') return st?.type === 'file';
    if (op === '-d') return st?.type === 'dir';
    if (op === '-s') return st !== undefined && st.size > 0;
    return st !== undefined;
  };
  const and = (): boolean => {
    let v = primary();
    while (args[i] === '-a') {
      i++;
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (args[i] === '-o') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  if (args.length === 0) return 1;
  try {
    const v = or();
    if (i !== args.length) fail(`unexpected argument '${args[i]}'`);
    return v ? 0 : 1;
  } catch (err) {
    if (!isShellError(err)) throw err;
    ctx.stderr(`${ctx.name}: ${err.message}\n`);
    return 2;
  }
}

/** `test` and `[`. */
export const testBuiltins: Readonly<Record<string, CommandHandler>> = {
  test: (args, ctx) => testExpression(args, ctx),
  '[': (args, ctx) => {
    if (args[args.length - 1] !== ']') {
      ctx.stderr("[: missing ']'\n");
      return 2;
    }
    return testExpression(args.slice(0, -1), ctx);
  },
};
