import type { CommandContext, CommandHandler } from './types.js';

/** Splits leading `-xyz` flags (letters in `allowed`) from operands; `--` ends the flags. */
export function flags(
  args: readonly string[],
  allowed: string,
): { set: Set<string>; rest: string[]; bad?: string } {
  const set = new Set<string>();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!/^-[A-Za-z]+$/.test(a)) break;
    for (const f of a.slice(1)) {
      if (!allowed.includes(f)) return { set, rest: [], bad: f };
      set.add(f);
    }
  }
  return { set, rest: args.slice(i) };
}

/** Writes `name: invalid option -- 'x'` and returns 2 (or 1 for tools that use 1). */
export function badOption(ctx: CommandContext, option: string, status = 2): number {
  ctx.stderr(`${ctx.name}: invalid option -- '${option}'\n`);
  return status;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  e: '\x1b',
};

/** Interprets backslash escapes (`\n`, `\t`, `\0NNN`, `\xHH`); `\c` stops output (returns `stop`). */
export function unescape(s: string): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      text += c;
      continue;
    }
    const n = s[++i]!;
    if (n === 'c') return { text, stop: true };
    if (ESCAPES[n] !== undefined) text += ESCAPES[n];
    else if (n === '0' || /[1-7]/.test(n)) {
      const m = /^[0-7]{0,3}/.exec(s.slice(n === '0' ? i + 1 : i))![0];
      text += String.fromCharCode(parseInt(m === '' ? '0' : m, 8));
      i += n === '0' ? m.length : m.length - 1;
    } else if (n === 'x' && /^[0-9a-fA-F]/.test(s.slice(i + 1))) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))![0];
      text += String.fromCharCode(parseInt(m, 16));
      i += m.length;
    } else text += `\\${n}`;
  }
  return { text, stop: false };
}

const echo: CommandHandler = (args, ctx) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length && /^-[neE]+$/.test(args[i]!); i++) {
    for (const f of args[i]!.slice(1)) {
      if (f === 'n') newline = false;
      else escapes = f === 'e';
    }
  }
  let text = args.slice(i).join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  ctx.stdout(newline ? `${text}\n` : text);
};

/** `printf FORMAT [ARG]…`: %s %b %c %d %i %u %x %X %o %f %e %g %%, flags, width, precision. */
const printf: CommandHandler = (args, ctx) => {
  if (args.length === 0) {
    ctx.stderr('printf: usage: printf format [arguments]\n');
    return 2;
  }
  const [format, ...values] = args as [string, ...string[]];
  let status = 0;
  let out = '';
  let next = 0;
  const spec = /%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?([sbcdiuxXofeEgG%])/g;
  do {
    let consumed = false;
    const body = format.replace(
      spec,
      (_m, fl: string, w: string | undefined, p: string | undefined, conv: string) => {
        if (conv === '%') return '%';
        const take = (): string | undefined => {
          consumed = true;
          return values[next++];
        };
        const width = w === '*' ? Number(take() ?? 0) : Number(w ?? 0);
        const precision = p === '*' ? Number(take() ?? 0) : p === undefined ? undefined : Number(p);
        const arg = take();
        let s: string;
        if (conv === 's' || conv === 'b') {
          s = conv === 'b' ? unescape(arg ?? '').text : (arg ?? '');
          if (precision !== undefined) s = s.slice(0, precision);
        } else if (conv === 'c') {
          s = (arg ?? '').slice(0, 1);
        } else {
          const n = toNumber(arg, conv, ctx);
          if (n === undefined) {
            status = 1;
            s = '0';
          } else s = formatNumber(n, conv, fl, precision);
        }
        return pad(s, width, fl, conv);
      },
    );
    const u = unescape(body);
    out += u.text;
    if (u.stop || !consumed) break;
  } while (next < values.length);
  ctx.stdout(out);
  return status;
};

function toNumber(arg: string | undefined, conv: string, ctx: CommandContext): number | undefined {
  if (arg === undefined || arg === '') return 0;
  if (/^['"]/.test(arg)) return arg.codePointAt(1) ?? 0;
  const n = /^[-+]?0[xX][0-9a-fA-F]+$/.test(arg) ? parseInt(arg, 16) : Number(arg);
  if (Number.isNaN(n) || (!'feEgG'.includes(conv) && !Number.isInteger(n) && !/^0[xX]/.test(arg))) {
    ctx.stderr(`printf: ${arg}: invalid number\n`);
    return undefined;
  }
  return n;
}

function formatNumber(n: number, conv: string, fl: string, precision: number | undefined): string {
  let s: string;
  switch (conv) {
    case 'x':
    case 'X':
    case 'o':
      s = Math.trunc(n).toString(conv === 'o' ? 8 : 16);
      if (conv === 'X') s = s.toUpperCase();
      break;
    case 'f':
      s = n.toFixed(precision ?? 6);
      break;
    case 'e':
    case 'E':
      s = n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      if (conv === 'E') s = s.toUpperCase();
      break;
    case 'g':
    case 'G':
      s = String(Number(n.toPrecision(precision ?? 6)));
      break;
    default:
      s = String(Math.trunc(n));
  }
  if (n >= 0 && fl.includes('+')) s = `+${s}`;
  else if (n >= 0 && fl.includes(' ')) s = ` ${s}`;
  return s;
}

function pad(s: string, width: number, fl: string, conv: string): string {
  if (s.length >= width) return s;
  if (fl.includes('-')) return s.padEnd(width);
  if (fl.includes('0') && !'sbc'.includes(conv)) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

const sleep: CommandHandler = async (args, ctx) => {
  if (args.length === 0) {
    ctx.stderr('sleep: missing operand\n');
    return 1;
  }
  let seconds = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (m === null) {
      ctx.stderr(`sleep: invalid time interval '${a}'\n`);
      return 1;
    }
    seconds += Number(m[1]) * UNITS[m[2]!]!;
  }
  await ctx.sleep(seconds * 1000);
};

const env: CommandHandler = async (args, ctx) => {
  let i = 0;
  let base: Record<string, string> = { ...ctx.env };
  if (args[0] === '-i' || args[0] === '-') {
    base = {};
    i = 1;
  }
  for (; i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]!); i++) {
    const eq = args[i]!.indexOf('=');
    base[args[i]!.slice(0, eq)] = args[i]!.slice(eq + 1);
  }
  if (i < args.length) return ctx.exec(args.slice(i), { env: base });
  ctx.stdout(
    Object.entries(base)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
};

const seq: CommandHandler = (args, ctx) => {
  const nums = args.map(Number);
  if (nums.length === 0 || nums.length > 3 || nums.some(Number.isNaN)) {
    ctx.stderr(`seq: invalid arguments\n`);
    return 1;
  }
  const [first, step, last] =
    nums.length === 1
      ? [1, 1, nums[0]!]
      : nums.length === 2
        ? [nums[0]!, 1, nums[1]!]
        : (nums as [number, number, number]);
  if (step === 0) {
    ctx.stderr("seq: invalid Zero increment value: '0'\n");
    return 1;
  }
  const lines: string[] = [];
  for (let x = first; step > 0 ? x <= last : x >= last; x += step) lines.push(String(x));
  ctx.stdout(lines.map((l) => `${l}\n`).join(''));
};

/** Core builtins: output, time, environment and small utilities. */
export const coreBuiltins: Readonly<Record<string, CommandHandler>> = {
  echo,
  printf,
  sleep,
  env,
  seq,
  true: () => 0,
  false: () => 1,
  ':': () => 0,
  pwd: (_args, ctx) => ctx.stdout(`${ctx.cwd}\n`),
  basename: (args, ctx) => {
    const [path = '', suffix] = args;
    let base = path.replace(/\/+$/, '').split('/').pop() ?? '';
    if (base === '' && path.startsWith('/')) base = '/';
    if (suffix !== undefined && base !== suffix && base.endsWith(suffix))
      base = base.slice(0, -suffix.length);
    ctx.stdout(`${base}\n`);
  },
  dirname: (args, ctx) => {
    const path = (args[0] ?? '').replace(/\/+$/, '');
    const slash = path.lastIndexOf('/');
    ctx.stdout(`${slash < 0 ? '.' : slash === 0 ? '/' : path.slice(0, slash)}\n`);
  },
};
