import { isVirtualFsError } from '../VirtualFsError.js';
import { badOption, flags } from './builtinsCore.js';
import type { CommandContext, CommandHandler } from './types.js';

/** Runs `fn`; a file-system error prints `name: <prefix>: <description>` and yields `false`. */
export function tryFs(ctx: CommandContext, prefix: string, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (!isVirtualFsError(err)) throw err;
    ctx.stderr(`${ctx.name}: ${prefix}: ${err.description}\n`);
    return false;
  }
}

/** Reads operands as files (`-` or none = stdin); reports missing ones; returns the status. */
export function readInputs(
  args: readonly string[],
  ctx: CommandContext,
  each: (data: Uint8Array, name: string) => void,
): number {
  if (args.length === 0) {
    each(ctx.stdin, '-');
    return 0;
  }
  let status = 0;
  for (const a of args) {
    if (a === '-') {
      each(ctx.stdin, '-');
      continue;
    }
    if (ctx.resolvePath(a) === '/dev/null') {
      each(new Uint8Array(0), a);
      continue;
    }
    let data: Uint8Array | undefined;
    if (!tryFs(ctx, a, () => (data = ctx.fs.readFile(ctx.resolvePath(a))))) status = 1;
    else each(data!, a);
  }
  return status;
}

const cat: CommandHandler = (args, ctx) => {
  const f = flags(args, 'u');
  if (f.bad !== undefined) return badOption(ctx, f.bad, 1);
  return readInputs(f.rest, ctx, (data) => ctx.stdout(data));
};

const ls: CommandHandler = (args, ctx) => {
  const f = flags(args, '1alA');
  if (f.bad !== undefined) return badOption(ctx, f.bad);
  const all = f.set.has('a');
  const long = f.set.has('l');
  const targets = f.rest.length === 0 ? ['.'] : f.rest;
  let status = 0;
  const line = (name: string, path: string): string => {
    if (!long) return `${name}\n`;
    const st = ctx.fs.stat(path);
    const mode = st?.type === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--';
    return `${mode} 1 root root ${String(st?.type === 'dir' ? 4096 : (st?.size ?? 0)).padStart(8)} ${name}\n`;
  };
  const files = targets.filter((t) => ctx.fs.isFile(ctx.resolvePath(t)));
  const dirs = targets.filter((t) => ctx.fs.isDir(ctx.resolvePath(t)));
  for (const t of targets) {
    if (!ctx.fs.exists(ctx.resolvePath(t))) {
      ctx.stderr(`ls: cannot access '${t}': No such file or directory\n`);
      status = 2;
    }
  }
  ctx.stdout(files.map((t) => line(t, ctx.resolvePath(t))).join(''));
  dirs.forEach((d, i) => {
    const path = ctx.resolvePath(d);
    let names = ctx.fs.readdir(path).filter((n) => all || f.set.has('A') || !n.startsWith('.'));
    if (all) names = ['.', '..', ...names];
    const header = targets.length > 1 ? `${i > 0 || files.length > 0 ? '\n' : ''}${d}:\n` : '';
    ctx.stdout(header + names.map((n) => line(n, `${path === '/' ? '' : path}/${n}`)).join(''));
  });
  return status;
};

const mkdir: CommandHandler = (args, ctx) => {
  const f = flags(args, 'pv');
  if (f.bad !== undefined) return badOption(ctx, f.bad, 1);
  if (f.rest.length === 0) {
    ctx.stderr('mkdir: missing operand\n');
    return 1;
  }
  let status = 0;
  for (const d of f.rest) {
    if (
      !tryFs(ctx, `cannot create directory '${d}'`, () =>
        ctx.fs.mkdir(ctx.resolvePath(d), { recursive: f.set.has('p') }),
      )
    ) {
      status = 1;
    }
  }
  return status;
};

const rm: CommandHandler = (args, ctx) => {
  const f = flags(args, 'rRfdv');
  if (f.bad !== undefined) return badOption(ctx, f.bad, 1);
  const recursive = f.set.has('r') || f.set.has('R');
  const force = f.set.has('f');
  if (f.rest.length === 0 && !force) {
    ctx.stderr('rm: missing operand\n');
    return 1;
  }
  let status = 0;
  for (const p of f.rest) {
    const path = ctx.resolvePath(p);
    if (ctx.fs.isDir(path) && !recursive && !(f.set.has('d') && ctx.fs.readdir(path).length === 0)) {
      ctx.stderr(`rm: cannot remove '${p}': Is a directory\n`);
      status = 1;
      continue;
    }
    if (!tryFs(ctx, `cannot remove '${p}'`, () => ctx.fs.rm(path, { recursive, force }))) status = 1;
  }
  return status;
};

function copyOrMove(move: boolean): CommandHandler {
  return (args, ctx) => {
    const f = flags(args, move ? 'fv' : 'rRfpav');
    if (f.bad !== undefined) return badOption(ctx, f.bad, 1);
    const recursive = f.set.has('r') || f.set.has('R') || f.set.has('a');
    if (f.rest.length < 2) {
      ctx.stderr(`${ctx.name}: missing file operand\n`);
      return 1;
    }
    const sources = f.rest.slice(0, -1);
    const dest = f.rest[f.rest.length - 1]!;
    const destPath = ctx.resolvePath(dest);
    if (sources.length > 1 && !ctx.fs.isDir(destPath)) {
      ctx.stderr(`${ctx.name}: target '${dest}' is not a directory\n`);
      return 1;
    }
    let status = 0;
    for (const s of sources) {
      const src = ctx.resolvePath(s);
      if (!move && ctx.fs.isDir(src) && !recursive) {
        ctx.stderr(`cp: -r not specified; omitting directory '${s}'\n`);
        status = 1;
        continue;
      }
      const ok = tryFs(ctx, `cannot ${move ? 'move' : 'stat'} '${s}'`, () =>
        move ? ctx.fs.rename(src, destPath) : ctx.fs.copy(src, destPath, { recursive }),
      );
      if (!ok) status = 1;
    }
    return status;
  };
}

const touch: CommandHandler = (args, ctx) => {
  let status = 0;
  for (const p of flags(args, 'acm').rest) {
    const path = ctx.resolvePath(p);
    if (ctx.fs.exists(path)) continue;
    if (!tryFs(ctx, `cannot touch '${p}'`, () => ctx.fs.writeFile(path, new Uint8Array(0)))) status = 1;
  }
  return status;
};

const tee: CommandHandler = (args, ctx) => {
  const f = flags(args, 'a');
  let status = 0;
  for (const p of f.rest) {
    const path = ctx.resolvePath(p);
    if (!tryFs(ctx, p, () => ctx.fs.writeFile(path, ctx.stdin, { append: f.set.has('a') }))) status = 1;
  }
  ctx.stdout(ctx.stdin);
  return status;
};

/** File builtins: cat, ls, mkdir, rm, cp, mv, touch, tee. */
export const fsBuiltins: Readonly<Record<string, CommandHandler>> = {
  cat,
  ls,
  mkdir,
  rm,
  cp: copyOrMove(false),
  mv: copyOrMove(true),
  touch,
  tee,
};
