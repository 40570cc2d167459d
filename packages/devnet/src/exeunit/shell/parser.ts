import { tokenize, type Op, type Token, type Word } from './lexer.js';
import { ShellError } from './ShellError.js';

/** A redirection: `[fd]> word`, `>>`, `<`, `[fd]>&fd`, `&> word`. */
export interface Redirect {
  readonly fd: number;
  readonly op: '>' | '>>' | '<' | '>&' | '<&' | '&>';
  readonly target: Word;
}

/** `NAME=value` before a command. */
export interface Assignment {
  readonly name: string;
  readonly value: Word;
}

/** A command of the AST. */
export type Command =
  | {
      readonly type: 'simple';
      readonly assigns: readonly Assignment[];
      readonly words: readonly Word[];
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly type: 'group';
      readonly subshell: boolean;
      readonly body: List;
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly type: 'if';
      readonly clauses: readonly { readonly cond: List; readonly body: List }[];
      readonly elseBody: List | undefined;
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly type: 'for';
      readonly name: string;
      readonly words: readonly Word[] | undefined;
      readonly body: List;
    }
  | { readonly type: 'while'; readonly until: boolean; readonly cond: List; readonly body: List };

/** `cmd | cmd | …`, optionally negated with `!`. */
export interface Pipeline {
  readonly negate: boolean;
  readonly commands: readonly Command[];
}

/** `pipeline && pipeline || …`. */
export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

/** A sequence of and-or lists separated by `;`, `&` (run in sequence here) or newlines. */
export interface List {
  readonly items: readonly AndOr[];
}

const ASSIGN_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Parses a script into its AST. @throws {ShellError} on a syntax error. */
export function parseScript(src: string): List {
  const p = new Parser(tokenize(src));
  const list = p.list([]);
  p.expectEof();
  return list;
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  expectEof(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.unexpected(t);
  }

  list(terminators: readonly string[]): List {
    const items: AndOr[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t.kind === 'eof' || this.isOp(t, ')') || this.isReserved(t, terminators)) break;
      items.push(this.andOr());
      const sep = this.peek();
      if (!(this.isOp(sep, ';') || this.isOp(sep, '&') || this.isOp(sep, '\n'))) break;
    }
    return { items };
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      const t = this.peek();
      if (!(this.isOp(t, '&&') || this.isOp(t, '||'))) break;
      this.i++;
      this.skipNewlines();
      rest.push({ op: (t as { op: '&&' | '||' }).op, pipeline: this.pipeline() });
    }
    return { first, rest };
  }

  private pipeline(): Pipeline {
    let negate = false;
    if (this.isReserved(this.peek(), ['!'])) {
      negate = true;
      this.i++;
    }
    const commands = [this.command()];
    while (this.isOp(this.peek(), '|')) {
      this.i++;
      this.skipNewlines();
      commands.push(this.command());
    }
    return { negate, commands };
  }

  private command(): Command {
    const t = this.peek();
    if (this.isOp(t, '(')) {
      this.i++;
      const body = this.list([]);
      this.expectOp(')');
      return { type: 'group', subshell: true, body, redirects: this.redirects() };
    }
    if (this.isReserved(t, ['{'])) {
      this.i++;
      const body = this.list(['}']);
      this.expectReserved('}');
      return { type: 'group', subshell: false, body, redirects: this.redirects() };
    }
    if (this.isReserved(t, ['if'])) return this.ifCommand();
    if (this.isReserved(t, ['for'])) return this.forCommand();
    if (this.isReserved(t, ['while', 'until'])) {
      this.i++;
      const cond = this.list(['do']);
      this.expectReserved('do');
      const body = this.list(['done']);
      this.expectReserved('done');
      return { type: 'while', until: rawOf(t) === 'until', cond, body };
    }
    return this.simple();
  }

  private ifCommand(): Command {
    this.i++;
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    for (;;) {
      const cond = this.list(['then']);
      this.expectReserved('then');
      const body = this.list(['elif', 'else', 'fi']);
      clauses.push({ cond, body });
      const t = this.peek();
      this.i++;
      if (this.isReserved(t, ['elif'])) continue;
      if (this.isReserved(t, ['else'])) {
        elseBody = this.list(['fi']);
        this.expectReserved('fi');
      } else if (!this.isReserved(t, ['fi'])) this.unexpected(t);
      break;
    }
    return { type: 'if', clauses, elseBody, redirects: this.redirects() };
  }

  private forCommand(): Command {
    this.i++;
    const nameTok = this.peek();
    const name = rawOf(nameTok);
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.unexpected(nameTok);
    this.i++;
    let words: Word[] | undefined;
    this.skipNewlines();
    if (this.isReserved(this.peek(), ['in'])) {
      this.i++;
      words = [];
      for (let t = this.peek(); t.kind === 'word'; t = this.peek()) {
        words.push(t.word);
        this.i++;
      }
    }
    this.skipSeparators();
    this.expectReserved('do');
    const body = this.list(['done']);
    this.expectReserved('done');
    return { type: 'for', name, words, body };
  }

  private simple(): Command {
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word') {
        const first = t.word.parts[0];
        if (
          words.length === 0 &&
          ASSIGN_RE.test(t.word.raw) &&
          first?.t === 'lit' &&
          !first.q &&
          first.v.includes('=')
        ) {
          const eq = first.v.indexOf('=');
          const rest = first.v.slice(eq + 1);
          const parts = [...(rest === '' ? [] : [{ ...first, v: rest }]), ...t.word.parts.slice(1)];
          assigns.push({ name: first.v.slice(0, eq), value: { parts, raw: t.word.raw.slice(eq + 1) } });
        } else {
          words.push(t.word);
        }
        this.i++;
      } else if (t.kind === 'op' && isRedirectOp(t.op)) {
        redirects.push(this.redirect());
      } else {
        break;
      }
    }
    if (assigns.length === 0 && words.length === 0 && redirects.length === 0) this.unexpected(this.peek());
    return { type: 'simple', assigns, words, redirects };
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let t = this.peek(); t.kind === 'op' && isRedirectOp(t.op); t = this.peek())
      out.push(this.redirect());
    return out;
  }

  private redirect(): Redirect {
    const t = this.peek() as Extract<Token, { kind: 'op' }>;
    this.i++;
    const target = this.peek();
    if (target.kind !== 'word') this.unexpected(target);
    this.i++;
    const op = t.op as Redirect['op'];
    const fd = t.fd ?? (op === '<' || op === '<&' ? 0 : 1);
    return { fd, op, target: target.word };
  }

  private skipSeparators(): void {
    for (let t = this.peek(); this.isOp(t, ';') || this.isOp(t, '&') || this.isOp(t, '\n'); t = this.peek())
      this.i++;
  }

  private skipNewlines(): void {
    while (this.isOp(this.peek(), '\n')) this.i++;
  }

  private expectOp(op: Op): void {
    const t = this.peek();
    if (!this.isOp(t, op)) this.unexpected(t);
    this.i++;
  }

  private expectReserved(word: string): void {
    const t = this.peek();
    if (!this.isReserved(t, [word])) this.unexpected(t);
    this.i++;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private isOp(t: Token, op: Op): boolean {
    return t.kind === 'op' && t.op === op && t.fd === undefined;
  }

  private isReserved(t: Token, words: readonly string[]): boolean {
    const raw = rawOf(t);
    return raw !== undefined && words.includes(raw);
  }

  private unexpected(t: Token): never {
    const what =
      t.kind === 'eof' ? 'end of file' : t.kind === 'op' ? (t.op === '\n' ? 'newline' : t.op) : t.word.raw;
    throw new ShellError(`syntax error near unexpected token '${what}'`, { position: t.pos });
  }
}

/** The text of a word made of one unquoted literal (how reserved words are recognised). */
function rawOf(t: Token): string | undefined {
  if (t.kind !== 'word') return undefined;
  const [only, ...rest] = t.word.parts;
  return only?.t === 'lit' && !only.q && rest.length === 0 ? only.v : undefined;
}

function isRedirectOp(op: Op): boolean {
  return op === '>' || op === '>>' || op === '<' || op === '>&' || op === '<&' || op === '&>';
}
