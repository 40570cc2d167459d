import { ShellError } from './ShellError.js';

/** A piece of a shell word; `q` marks quoted text (no field splitting, no globbing). */
export type WordPart =
  | { readonly t: 'lit'; readonly v: string; readonly q: boolean }
  | { readonly t: 'var'; readonly name: string; readonly q: boolean; readonly op?: VarOp }
  | { readonly t: 'cmd'; readonly script: string; readonly q: boolean }
  | { readonly t: 'arith'; readonly expr: string; readonly q: boolean };

/** `${name:-word}` and friends, and `${#name}`. */
export interface VarOp {
  readonly kind: ':-' | '-' | ':=' | '=' | ':+' | '+' | '#';
  readonly word: string;
}

/** A word: its parts and its source text. */
export interface Word {
  readonly parts: readonly WordPart[];
  readonly raw: string;
}

/** Operators of the supported grammar. */
export type Op = ';' | '&' | '&&' | '||' | '|' | '(' | ')' | '\n' | '>' | '>>' | '<' | '>&' | '<&' | '&>';

/** A lexical token. */
export type Token =
  | { readonly kind: 'word'; readonly word: Word; readonly pos: number }
  | { readonly kind: 'op'; readonly op: Op; readonly fd?: number; readonly pos: number }
  | { readonly kind: 'eof'; readonly pos: number };

const META = new Set([';', '&', '|', '(', ')', '<', '>', '\n', ' ', '\t']);

/** Splits a script into tokens (words with their quoting, operators, newlines). */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '\n' || c === ';' || c === '(' || c === ')') {
      if (c === ';' && src[i + 1] === ';')
        throw new ShellError("syntax error near unexpected token ';;'", { position: i });
      tokens.push({ kind: 'op', op: c as Op, pos: i });
      i++;
    } else if (c === '&' || c === '|' || c === '<' || c === '>') {
      const two = src.slice(i, i + 2);
      const op: Op = (['&&', '||', '>>', '>&', '<&', '&>'] as const).find((o) => o === two) ?? c;
      if (two === '<<') throw new ShellError('here-documents are not supported', { position: i });
      tokens.push({ kind: 'op', op, pos: i });
      i += op.length;
    } else {
      const start = i;
      const { word, end } = readWord(src, i);
      i = end;
      if (/^\d+$/.test(word.raw) && (src[i] === '>' || src[i] === '<')) {
        const two = src.slice(i, i + 2);
        const op: Op = two === '>>' || two === '>&' || two === '<&' ? two : (src[i] as Op);
        tokens.push({ kind: 'op', op, fd: Number(word.raw), pos: start });
        i += op.length;
      } else {
        tokens.push({ kind: 'word', word, pos: start });
      }
    }
  }
  tokens.push({ kind: 'eof', pos: src.length });
  return tokens;
}

/** Reads the parts of a word (also used to expand `${x:-word}` defaults, with `inQuotes`). */
export function readWord(src: string, start: number, inQuotes = false): { word: Word; end: number } {
  const parts: WordPart[] = [];
  const lit = (v: string, q: boolean): void => {
    const last = parts[parts.length - 1];
    if (last?.t === 'lit' && last.q === q) parts[parts.length - 1] = { t: 'lit', v: last.v + v, q };
    else parts.push({ t: 'lit', v, q });
  };
  let i = start;
  if (!inQuotes && src[i] === '~' && (i + 1 === src.length || src[i + 1] === '/' || META.has(src[i + 1]!))) {
    parts.push({ t: 'var', name: 'HOME', q: true });
    i++;
  }
  while (i < src.length && (inQuotes || !META.has(src[i]!))) {
    const c = src[i]!;
    if (c === "'" && !inQuotes) {
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw new ShellError('unterminated quoted string', { position: i });
      lit(src.slice(i + 1, close), true);
      i = close + 1;
    } else if (c === '"' && !inQuotes) {
      i = readDoubleQuoted(src, i + 1, parts, lit);
    } else if (c === '\\') {
      if (src[i + 1] === '\n') i += 2;
      else if (i + 1 < src.length) {
        lit(src[i + 1]!, true);
        i += 2;
      } else {
        lit('\\', inQuotes);
        i++;
      }
    } else if (c === '$' || c === '`') {
      i = readExpansion(src, i, parts, lit, inQuotes);
    } else {
      lit(c, inQuotes);
      i++;
    }
  }
  return { word: { parts, raw: src.slice(start, i) }, end: i };
}

type Lit = (v: string, q: boolean) => void;

function readDoubleQuoted(src: string, i: number, parts: WordPart[], lit: Lit): number {
  lit('', true);
  for (;;) {
    if (i >= src.length) throw new ShellError('unterminated quoted string', { position: i });
    const c = src[i]!;
    if (c === '"') return i + 1;
    if (c === '\\' && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1]!)) {
      if (src[i + 1] !== '\n') lit(src[i + 1]!, true);
      i += 2;
    } else if (c === '$' || c === '`') {
      i = readExpansion(src, i, parts, lit, true);
    } else {
      lit(c, true);
      i++;
    }
  }
}

function readExpansion(src: string, i: number, parts: WordPart[], lit: Lit, q: boolean): number {
  if (src[i] === '`') {
    const close = src.indexOf('`', i + 1);
    if (close < 0) throw new ShellError('unterminated command substitution', { position: i });
    parts.push({ t: 'cmd', script: src.slice(i + 1, close), q });
    return close + 1;
  }
  const next = src[i + 1];
  if (next === '(' && src[i + 2] === '(') {
    const end = findArithEnd(src, i + 3);
    parts.push({ t: 'arith', expr: src.slice(i + 3, end), q });
    return end + 2;
  }
  if (next === '(') {
    const end = findClosingParen(src, i + 2);
    parts.push({ t: 'cmd', script: src.slice(i + 2, end), q });
    return end + 1;
  }
  if (next === '{') {
    const close = src.indexOf('}', i + 2);
    if (close < 0) throw new ShellError('bad substitution: missing }', { position: i });
    parts.push(parseBraced(src.slice(i + 2, close), q, i));
    return close + 1;
  }
  if (next !== undefined && /[?#@*$!0-9-]/.test(next)) {
    parts.push({ t: 'var', name: next, q });
    return i + 2;
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1));
  if (m === null) {
    lit('$', q);
    return i + 1;
  }
  parts.push({ t: 'var', name: m[0], q });
  return i + 1 + m[0].length;
}

function parseBraced(inner: string, q: boolean, pos: number): WordPart {
  if (inner.startsWith('#') && inner.length > 1)
    return { t: 'var', name: inner.slice(1), q, op: { kind: '#', word: '' } };
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[?#@*$!0-9-])(?:(:-|-|:=|=|:\+|\+)([\s\S]*))?$/.exec(inner);
  if (m === null) throw new ShellError(`\${${inner}}: bad substitution`, { position: pos, status: 2 });
  const name = m[1]!;
  return m[2] === undefined
    ? { t: 'var', name, q }
    : { t: 'var', name, q, op: { kind: m[2] as VarOp['kind'], word: m[3] ?? '' } };
}

function findClosingParen(src: string, i: number): number {
  let depth = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) break;
      i = close + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      if (depth === 0) return i;
      depth--;
      i++;
    } else i++;
  }
  throw new ShellError('unterminated command substitution', { position: i });
}

function findArithEnd(src: string, i: number): number {
  let depth = 0;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        if (src[i + 1] === ')') return i;
        break;
      }
      depth--;
    }
  }
  throw new ShellError('unterminated arithmetic expansion', { position: i });
}
