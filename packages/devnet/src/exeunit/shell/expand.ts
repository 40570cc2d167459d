import { VirtualFs } from '../VirtualFs.js';
import { evaluateArithmetic } from './arith.js';
import { readWord, type Word, type WordPart } from './lexer.js';
import type { ShellState } from './types.js';

/** What word expansion needs from the interpreter. */
export interface ExpandContext {
  readonly state: ShellState;
  readonly fs: VirtualFs;
  /** Runs a command substitution in a subshell; returns its stdout. Sets `state.status`. */
  substitute(script: string): Promise<string>;
}

interface Field {
  text: string;
  /** The text with quoted glob characters escaped by a backslash. */
  pattern: string;
  glob: boolean;
}

/**
 * Expands words into fields: parameters, command substitutions, arithmetic, then field
 * splitting of unquoted expansions on blanks, then pathname expansion (`*`, `?`, `[…]`) against
 * the virtual file system (a pattern without matches stays as it is).
 */
export async function expandWords(words: readonly Word[], ctx: ExpandContext): Promise<string[]> {
  const out: string[] = [];
  for (const word of words) {
    for (const field of await expandFields(word, ctx)) {
      const matches = field.glob ? glob(field.pattern, ctx.state.cwd, ctx.fs) : [];
      if (matches.length > 0) out.push(...matches);
      else out.push(field.text);
    }
  }
  return out;
}

/** Expands a word into one string, without field splitting or globbing (assignments, redirect targets). */
export async function expandString(word: Word, ctx: ExpandContext): Promise<string> {
  let s = '';
  for (const part of word.parts) s += part.t === 'lit' ? part.v : await expandPart(part, ctx);
  return s;
}

async function expandFields(word: Word, ctx: ExpandContext): Promise<Field[]> {
  const fields: Field[] = [];
  let cur: Field | undefined;
  const add = (text: string, quoted: boolean): void => {
    cur ??= { text: '', pattern: '', glob: false };
    cur.text += text;
    cur.pattern += quoted ? text.replace(/[*?[\]\\]/g, '\\$&') : text;
    if (!quoted && /[*?[]/.test(text)) cur.glob = true;
  };
  const breakField = (): void => {
    if (cur !== undefined) fields.push(cur);
    cur = undefined;
  };
  for (const part of word.parts) {
    if (part.t === 'lit') {
      add(part.v, part.q);
    } else if (part.t === 'var' && part.name === '@' && part.q && part.op === undefined) {
      ctx.state.positional.forEach((arg, i) => {
        if (i > 0) breakField();
        add(arg, true);
      });
    } else {
      const value = await expandPart(part, ctx);
      if (part.q) {
        add(value, true);
        continue;
      }
      const segments = value.split(/[ \t\n]+/);
      segments.forEach((seg, i) => {
        if (i > 0) breakField();
        if (seg !== '') add(seg, false);
      });
    }
  }
  breakField();
  return fields;
}

async function expandPart(part: Exclude<WordPart, { t: 'lit' }>, ctx: ExpandContext): Promise<string> {
  switch (part.t) {
    case 'cmd':
      return (await ctx.substitute(part.script)).replace(/\n+$/, '');
    case 'arith': {
      const expr = await expandString(readWord(part.expr, 0, true).word, ctx);
      return String(evaluateArithmetic(expr, (name) => ctx.state.vars.get(name)));
    }
    case 'var': {
      const value = lookupVar(part.name, ctx.state);
      const op = part.op;
      if (op === undefined) return value ?? '';
      if (op.kind === '#') return String((value ?? '').length);
      const unset = op.kind.startsWith(':') ? value === undefined || value === '' : value === undefined;
      const word = async (): Promise<string> => expandString(readWord(op.word, 0, true).word, ctx);
      switch (op.kind) {
        case ':-':
        case '-':
          return unset ? word() : (value ?? '');
        case ':=':
        case '=': {
          if (!unset) return value ?? '';
          const assigned = await word();
          ctx.state.vars.set(part.name, assigned);
          return assigned;
        }
        default:
          return unset ? '' : word();
      }
    }
  }
}

/** The value of a shell parameter, `undefined` when unset. */
export function lookupVar(name: string, state: ShellState): string | undefined {
  switch (name) {
    case '?':
      return String(state.status);
    case '#':
      return String(state.positional.length);
    case '@':
    case '*':
      return state.positional.join(' ');
    case '$':
      return '1';
    case '!':
    case '-':
      return '';
    case '0':
      return state.arg0;
    default:
      if (/^\d$/.test(name)) return state.positional[Number(name) - 1];
      return state.vars.get(name);
  }
}

/** Pathname expansion of `pattern` (escaped with `\`) in the file system, sorted; [] when nothing matches. */
function glob(pattern: string, cwd: string, fs: VirtualFs): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let candidates: { shown: string; path: string }[] = [
    { shown: absolute ? '/' : '', path: absolute ? '/' : cwd },
  ];
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: { shown: string; path: string }[] = [];
    const re = segmentRegExp(seg);
    for (const c of candidates) {
      if (!fs.isDir(c.path)) continue;
      const join = (name: string): { shown: string; path: string } => ({
        shown: c.shown === '' ? name : c.shown.endsWith('/') ? `${c.shown}${name}` : `${c.shown}/${name}`,
        path: VirtualFs.resolve(name, c.path),
      });
      if (re === undefined) {
        const name = seg.replace(/\\(.)/g, '$1');
        const candidate = join(name);
        if (fs.exists(candidate.path)) next.push(candidate);
        continue;
      }
      for (const name of fs.readdir(c.path)) {
        if (name.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(name)) next.push(join(name));
      }
    }
    candidates = last ? next : next.filter((c) => fs.isDir(c.path));
  }
  return candidates.map((c) => c.shown).sort();
}

function segmentRegExp(seg: string): RegExp | undefined {
  let re = '';
  let magic = false;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\' && i + 1 < seg.length) {
      re += escapeRe(seg[++i]!);
    } else if (c === '*') {
      re += '.*';
      magic = true;
    } else if (c === '?') {
      re += '.';
      magic = true;
    } else if (c === '[' && seg.indexOf(']', i + 2) > 0) {
      const close = seg.indexOf(']', i + 2);
      const body = seg
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      re += `[${body}]`;
      magic = true;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  return magic ? new RegExp(`^${re}$`, 's') : undefined;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
