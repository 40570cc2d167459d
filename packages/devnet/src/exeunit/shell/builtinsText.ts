import { createHash } from 'node:crypto';
import { concat, decodeLossy } from '../capture.js';
import { badOption, flags } from './builtinsCore.js';
import { readInputs } from './builtinsFs.js';
import type { CommandContext, CommandHandler } from './types.js';

const encoder = new TextEncoder();

/** Splits text into lines, each keeping its `\n` (a last line without one is kept as it is). */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const wc: CommandHandler = (args, ctx) => {
  const f = flags(args, 'lwcm');
  if (f.bad !== undefined) return badOption(ctx, f.bad, 1);
  const cols = f.set.size === 0 ? ['l', 'w', 'c'] : ['l', 'w', 'm', 'c'].filter((c) => f.set.has(c));
  const rows: { counts: number[]; name: string }[] = [];
  const status = readInputs(f.rest, ctx, (data, name) => {
    const text = decodeLossy(data);
    const count: Record<string, number> = {
      l: (text.match(/\n/g) ?? []).length,
      w: (text.match(/\S+/g) ?? []).length,
      m: [...text].length,
      c: data.length,
    };
    rows.push({ counts: cols.map((c) => count[c]!), name: name === '-' && f.rest.length === 0 ? '' : name });
  });
  if (rows.length > 1)
    rows.push({ counts: cols.map((_, i) => rows.reduce((n, r) => n + r.counts[i]!, 0)), name: 'total' });
  const stdin = f.rest.length === 0 || f.rest.includes('-');
  const width =
    cols.length === 1 && rows.length === 1
      ? 1
      : stdin
        ? 7
        : String(Math.max(...rows.map((r) => r.counts[cols.length - 1]!))).length;
  ctx.stdout(
    rows
      .map(
        (r) =>
          `${[...r.counts.map((n) => String(n).padStart(width)), r.name].filter((s) => s !== '').join(' ')}\n`,
      )
      .join(''),
  );
  return status;
};

const sha256sum: CommandHandler = (args, ctx) => {
  const f = flags(args, 'bt');
  let out = '';
  const status = readInputs(f.rest, ctx, (data, name) => {
    out += `${createHash('sha256').update(data).digest('hex')}  ${name}\n`;
  });
  ctx.stdout(out);
  return status;
};

/** Parses `-n N`, `-nN`, `-N`, `-c N` of head/tail. */
function countOption(
  args: readonly string[],
  ctx: CommandContext,
): { n: number; fromStart: boolean; bytes: boolean; files: string[] } | number {
  let n = 10;
  let bytes = false;
  let fromStart = false;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let value: string | undefined;
    if (/^-\d+$/.test(a)) value = a.slice(1);
    else if (a === '-n' || a === '-c') {
      bytes = a === '-c';
      value = args[++i];
    } else if (/^-[nc].+/.test(a)) {
      bytes = a[1] === 'c';
      value = a.slice(2);
    } else {
      files.push(a);
      continue;
    }
    if (value === undefined || !/^\+?\d+$/.test(value)) {
      ctx.stderr(`${ctx.name}: invalid number of lines: '${value ?? ''}'\n`);
      return 1;
    }
    fromStart = value.startsWith('+');
    n = Number(value.replace('+', ''));
  }
  return { n, fromStart, bytes, files };
}

function headTail(tail: boolean): CommandHandler {
  return (args, ctx) => {
    const opt = countOption(args, ctx);
    if (typeof opt === 'number') return opt;
    const many = opt.files.length > 1;
    let first = true;
    return readInputs(opt.files, ctx, (data, name) => {
      if (many) ctx.stdout(`${first ? '' : '\n'}==> ${name === '-' ? 'standard input' : name} <==\n`);
      first = false;
      if (opt.bytes) {
        const start = tail ? (opt.fromStart ? Math.max(opt.n - 1, 0) : Math.max(data.length - opt.n, 0)) : 0;
        ctx.stdout(data.slice(start, tail ? data.length : opt.n));
        return;
      }
      const all = lines(decodeLossy(data));
      const picked = !tail
        ? all.slice(0, opt.n)
        : opt.fromStart
          ? all.slice(Math.max(opt.n - 1, 0))
          : opt.n === 0
            ? []
            : all.slice(-opt.n);
      ctx.stdout(picked.join(''));
    });
  };
}

/** Converts a POSIX basic regular expression into a JS one (`\(`, `\|`, `\+` special; `(`, `|`, `+` literal). */
function basicToJs(pattern: string): string {
  return pattern.replace(/\\?[+?|(){}]/g, (m) => (m.length === 2 ? m[1]! : `\\${m}`));
}

const grep: CommandHandler = (args, ctx) => {
  const f = flags(args, 'vciqnEFlwxsh');
  if (f.bad !== undefined) return badOption(ctx, f.bad);
  const [pattern, ...files] = f.rest;
  if (pattern === undefined) {
    ctx.stderr('usage: grep [OPTION]... PATTERNS [FILE]...\n');
    return 2;
  }
  let source = f.set.has('F')
    ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    : f.set.has('E')
      ? pattern
      : basicToJs(pattern);
  if (f.set.has('w')) source = `\\b(?:${source})\\b`;
  if (f.set.has('x')) source = `^(?:${source})$`;
  let re: RegExp;
  try {
    re = new RegExp(source, f.set.has('i') ? 'i' : '');
  } catch (err) {
    ctx.stderr(`grep: ${(err as Error).message}\n`);
    return 2;
  }
  let matched = false;
  let out = '';
  const status = readInputs(files, ctx, (data, name) => {
    const prefix = files.length > 1 && !f.set.has('h') ? `${name === '-' ? '(standard input)' : name}:` : '';
    let count = 0;
    lines(decodeLossy(data)).forEach((line, i) => {
      const body = line.replace(/\n$/, '');
      if (re.test(body) === f.set.has('v')) return;
      count++;
      matched = true;
      if (!f.set.has('c') && !f.set.has('l') && !f.set.has('q')) {
        out += `${prefix}${f.set.has('n') ? `${i + 1}:` : ''}${body}\n`;
      }
    });
    if (f.set.has('c')) out += `${prefix}${count}\n`;
    if (f.set.has('l') && count > 0) out += `${name === '-' ? '(standard input)' : name}\n`;
  });
  if (!f.set.has('q')) ctx.stdout(out);
  return status !== 0 && !(f.set.has('q') && matched) ? 2 : matched ? 0 : 1;
};

const sort: CommandHandler = (args, ctx) => {
  const f = flags(args, 'rnu');
  if (f.bad !== undefined) return badOption(ctx, f.bad);
  const chunks: Uint8Array[] = [];
  const status = readInputs(f.rest, ctx, (data) => chunks.push(data));
  let all = lines(decodeLossy(concat(chunks))).map((l) => l.replace(/\n$/, ''));
  const numeric = (s: string): number => Number.parseFloat(s) || 0;
  all.sort((a, b) =>
    f.set.has('n') ? numeric(a) - numeric(b) || (a < b ? -1 : a > b ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0,
  );
  if (f.set.has('r')) all.reverse();
  if (f.set.has('u')) all = all.filter((l, i) => i === 0 || l !== all[i - 1]);
  ctx.stdout(all.map((l) => `${l}\n`).join(''));
  return status;
};

const uniq: CommandHandler = (args, ctx) => {
  const f = flags(args, 'cdu');
  if (f.bad !== undefined) return badOption(ctx, f.bad, 1);
  const chunks: Uint8Array[] = [];
  const status = readInputs(f.rest.slice(0, 1), ctx, (data) => chunks.push(data));
  const groups: { line: string; n: number }[] = [];
  for (const l of lines(decodeLossy(concat(chunks))).map((x) => x.replace(/\n$/, ''))) {
    const last = groups[groups.length - 1];
    if (last?.line === l) last.n++;
    else groups.push({ line: l, n: 1 });
  }
  const kept = groups.filter((g) => (f.set.has('d') ? g.n > 1 : f.set.has('u') ? g.n === 1 : true));
  ctx.stdout(
    kept.map((g) => (f.set.has('c') ? `${String(g.n).padStart(7)} ${g.line}\n` : `${g.line}\n`)).join(''),
  );
  return status;
};

const base64: CommandHandler = (args, ctx) => {
  const f = flags(args, 'dw');
  const chunks: Uint8Array[] = [];
  const status = readInputs(
    f.rest.filter((a) => !/^\d+$/.test(a)),
    ctx,
    (data) => chunks.push(data),
  );
  const data = concat(chunks);
  if (f.set.has('d'))
    ctx.stdout(new Uint8Array(Buffer.from(decodeLossy(data).replace(/\s+/g, ''), 'base64')));
  else if (data.length > 0)
    ctx.stdout(
      encoder.encode(
        `${(
          Buffer.from(data)
            .toString('base64')
            .match(/.{1,76}/g) ?? []
        ).join('\n')}\n`,
      ),
    );
  return status;
};

/** Text builtins: wc, sha256sum, head, tail, grep, sort, uniq, base64. */
export const textBuiltins: Readonly<Record<string, CommandHandler>> = {
  wc,
  sha256sum,
  head: headTail(false),
  tail: headTail(true),
  grep,
  sort,
  uniq,
  base64,
};
