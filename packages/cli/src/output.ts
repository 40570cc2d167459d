/**
 * How the command line prints: tables (boxed on a terminal, plain aligned columns otherwise),
 * JSON, colours (only on a terminal, never with `NO_COLOR` or `--no-color`) and a progress line
 * on stderr (only on a terminal).
 */
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { CliContext, TextSink } from './context.js';

/** picocolors' formatters, enabled or not. */
export type Colors = ReturnType<typeof createColors>;

/** A column of a table. */
export interface Column {
  /** The header, printed as is. */
  readonly header: string;
  /** @default 'left' */
  readonly align?: 'left' | 'right';
}

/** A column of a streamed table: rows are printed one by one, padded to `width`. */
export interface StreamColumn extends Column {
  /** The width cells are padded to (longer cells push the next column). */
  readonly width: number;
}

/** A progress line on stderr; does nothing unless stderr is a terminal. */
export interface Progress {
  /** Replaces the line's text. */
  update(text: string): void;
  /** Removes the line. Idempotent. */
  done(): void;
}

/** A streamed table: the header once, then one line per row. */
export interface StreamTable {
  /** Prints one row (the header first, on the first call or at `header()`). */
  row(cells: readonly string[]): void;
  /** Prints the header now if it has not been printed yet. */
  header(): void;
}

/** How {@link Output} decides. */
export interface OutputOptions {
  /** `--json`: machine-readable output on stdout, no colours there. */
  readonly json: boolean;
  /** `false` with `--no-color`. */
  readonly color: boolean;
}

const PLAIN_CHARS = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((k) => [k, '']),
);

/**
 * Whether colours go to a stream: never with a non-empty `NO_COLOR`, `--no-color` or `TERM=dumb`;
 * always with `FORCE_COLOR` (non-empty, not `0`); otherwise only on a terminal.
 */
export function colorsEnabled(ctx: CliContext, flag: boolean, stream: 'stdout' | 'stderr'): boolean {
  const noColor = ctx.env.NO_COLOR;
  if ((noColor !== undefined && noColor !== '') || !flag || ctx.env.TERM === 'dumb') return false;
  const force = ctx.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  return ctx.isTTY[stream];
}

/** JSON with `Decimal`s as strings (their `toJSON`) and `undefined` fields left out. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent);
}

/** The printer of one run. */
export class Output {
  /** `--json` is in force. */
  readonly json: boolean;
  /** Colours for stdout. */
  readonly colors: Colors;
  /** Colours for stderr. */
  readonly errColors: Colors;
  private active: { text: string } | undefined;

  constructor(
    private readonly ctx: CliContext,
    options: OutputOptions,
  ) {
    this.json = options.json;
    this.colors = createColors(!options.json && colorsEnabled(ctx, options.color, 'stdout'));
    this.errColors = createColors(colorsEnabled(ctx, options.color, 'stderr'));
  }

  /** Prints a line on stdout. */
  line(text = ''): void {
    this.write(this.ctx.stdout, `${text}\n`);
  }

  /** Prints a value as indented JSON on stdout. */
  printJson(value: unknown): void {
    this.line(toJson(value, 2));
  }

  /** Prints a value as one line of JSON on stdout (streams print one object a line). */
  printJsonLine(value: unknown): void {
    this.line(toJson(value));
  }

  /** A section title: bold on a terminal. */
  heading(text: string): void {
    this.line(this.colors.bold(text));
  }

  /** Prints a table: boxed on a terminal, plain aligned columns otherwise. */
  table(columns: readonly Column[], rows: readonly (readonly string[])[]): void {
    const head = columns.map((c) => this.colors.bold(c.header));
    const colAligns = columns.map((c) => c.align ?? 'left');
    const style = { head: [], border: [], compact: true };
    const table = this.ctx.isTTY.stdout
      ? new Table({ head, colAligns, style })
      : new Table({
          head,
          colAligns,
          chars: PLAIN_CHARS,
          style: { ...style, 'padding-left': 0, 'padding-right': 2 },
        });
    table.push(...rows.map((r) => [...r]));
    const text = table
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
    this.line(text);
  }

  /** A table printed row by row, for streams. */
  streamTable(columns: readonly StreamColumn[]): StreamTable {
    let printed = false;
    const render = (cells: readonly string[], paint: (s: string) => string = (s) => s): string =>
      columns
        .map((c, i) => {
          const cell = cells[i] ?? '';
          const padded = c.align === 'right' ? cell.padStart(c.width) : cell.padEnd(c.width);
          return i === columns.length - 1 ? paint(padded).trimEnd() : paint(padded);
        })
        .join('  ')
        .trimEnd();
    const header = (): void => {
      if (printed) return;
      printed = true;
      this.line(
        render(
          columns.map((c) => c.header),
          (s) => this.colors.bold(s),
        ),
      );
    };
    return {
      header,
      row: (cells) => {
        header();
        this.line(render(cells));
      },
    };
  }

  /** A one-line note on stderr (counts, hints). */
  note(text: string): void {
    this.write(this.ctx.stderr, `${text}\n`);
  }

  /** A warning on stderr: `golem-rx: warning: …`. */
  warn(text: string): void {
    this.write(this.ctx.stderr, `${this.errColors.yellow('golem-rx: warning:')} ${text}\n`);
  }

  /** Starts a progress line on stderr (a no-op unless stderr is a terminal). */
  progress(text: string): Progress {
    if (!this.ctx.isTTY.stderr) return { update: () => undefined, done: () => undefined };
    const state = { text };
    this.active = state;
    this.drawProgress();
    return {
      update: (next) => {
        state.text = next;
        if (this.active === state) this.drawProgress();
      },
      done: () => {
        if (this.active !== state) return;
        this.ctx.stderr.write('\r\x1b[2K');
        this.active = undefined;
      },
    };
  }

  private drawProgress(): void {
    if (this.active === undefined) return;
    this.ctx.stderr.write(`\r\x1b[2K${this.errColors.dim(this.active.text)}`);
  }

  /** Writes, keeping an active progress line below the text. */
  private write(sink: TextSink, text: string): void {
    if (this.active === undefined) {
      sink.write(text);
      return;
    }
    this.ctx.stderr.write('\r\x1b[2K');
    sink.write(text);
    this.drawProgress();
  }
}
