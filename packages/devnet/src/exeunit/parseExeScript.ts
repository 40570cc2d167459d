import type { ExeScriptCommand } from './exescript.js';
import { ExeScriptParseError } from './ExeScriptParseError.js';
import { jsonDepthExceededAt, MAX_JSON_DEPTH } from '../jsonDepth.js';

type Json = Record<string, unknown>;

/**
 * Parses the `text` of an exec request (`POST /activity/{id}/exec`): a JSON array of ExeScript
 * commands, validated strictly. Unknown fields inside a command body are accepted (yagna's serde
 * ignores them); unknown commands, a missing `entry_point`/`from`/`to`, mistyped fields, a bad
 * capture mode and an empty script are rejected.
 *
 * @throws {ExeScriptParseError} with the index and JSON path of the first problem.
 * @example
 * parseExeScript('[{"deploy":{}},{"start":{}},{"run":{"entry_point":"/bin/sh","args":["-c","echo hi"]}}]');
 */
export function parseExeScript(text: string): ExeScriptCommand[] {
  let value: unknown;
  const tooDeep = jsonDepthExceededAt(text);
  if (tooDeep !== undefined) {
    throw new ExeScriptParseError(
      `ExeScript is not valid JSON: recursion limit exceeded (nested deeper than ${MAX_JSON_DEPTH} levels) at position ${tooDeep}`,
      { path: '' },
    );
  }
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ExeScriptParseError(
      `ExeScript is not valid JSON: ${(err as Error).message}`,
      { path: '' },
      { cause: err },
    );
  }
  return validateExeScript(value);
}

/**
 * Validates an already decoded ExeScript (see {@link parseExeScript}) and returns it typed.
 *
 * @throws {ExeScriptParseError}
 */
export function validateExeScript(value: unknown): ExeScriptCommand[] {
  if (!Array.isArray(value)) fail('ExeScript must be a JSON array of commands', '');
  if (value.length === 0) fail('ExeScript must contain at least one command', '');
  return value.map((item, index) => validateCommand(item, index));
}

function validateCommand(item: unknown, index: number): ExeScriptCommand {
  const path = `[${index}]`;
  const obj = object(item, path, index);
  const keys = Object.keys(obj);
  if (keys.length !== 1) fail(`command must have exactly one key, found ${keys.length}`, path, index);
  const name = keys[0]!;
  const at = `${path}.${name}`;
  const body = obj[name] === null ? {} : object(obj[name], at, index);
  switch (name) {
    case 'deploy':
      validateDeploy(body, at, index);
      break;
    case 'start':
      optional(body, 'args', at, index, stringArray);
      break;
    case 'run':
      validateRun(body, at, index);
      break;
    case 'transfer':
      validateTransfer(body, at, index);
      break;
    case 'sign':
    case 'terminate':
      break;
    default:
      fail(`unknown command '${name}'`, path, index);
  }
  return { [name]: body } as unknown as ExeScriptCommand;
}

function validateDeploy(body: Json, at: string, index: number): void {
  optional(body, 'net', at, index, (v, p, i) => {
    arrayOf(v, p, i, (n, np) => {
      const net = object(n, np, i);
      for (const key of ['id', 'ip', 'mask']) string(net[key], `${np}.${key}`, i);
      for (const key of ['gateway', 'nodeIp']) optional(net, key, np, i, string);
      optional(net, 'nodes', np, i, stringRecord);
    });
  });
  optional(body, 'hosts', at, index, stringRecord);
  optional(body, 'hostname', at, index, string);
  optional(body, 'env', at, index, stringRecord);
  optional(body, 'volumes', at, index, (v, p, i) => {
    if (Array.isArray(v)) stringArray(v, p, i);
    else object(v, p, i);
  });
  optional(body, 'progress', at, index, object);
}

function validateRun(body: Json, at: string, index: number): void {
  const entry = body['entry_point'];
  if (entry === undefined) fail("'entry_point' is required", `${at}.entry_point`, index);
  string(entry, `${at}.entry_point`, index);
  optional(body, 'args', at, index, stringArray);
  optional(body, 'env', at, index, stringRecord);
  optional(body, 'capture', at, index, (v, p, i) => {
    const capture = object(v, p, i);
    optional(capture, 'stdout', p, i, captureMode);
    optional(capture, 'stderr', p, i, captureMode);
  });
}

function captureMode(value: unknown, path: string, index: number): void {
  const mode = object(value, path, index);
  const keys = Object.keys(mode);
  if (keys.length !== 1 || (keys[0] !== 'atEnd' && keys[0] !== 'stream')) {
    fail("capture mode must be exactly one of 'atEnd' or 'stream'", path, index);
  }
  const key = keys[0];
  const at = `${path}.${key}`;
  const body = mode[key] === null ? {} : object(mode[key], at, index);
  optional(body, 'format', at, index, (v, p, i) => {
    if (v !== 'string' && v !== 'binary' && v !== 'str' && v !== 'bin') {
      fail("format must be 'string' or 'binary'", p, i);
    }
  });
  if (key === 'stream') {
    optional(body, 'limit', at, index, count);
    return;
  }
  optional(body, 'part', at, index, (v, p, i) => {
    const part = object(v, p, i);
    const partKeys = Object.keys(part);
    if (partKeys.length !== 1 || !['head', 'tail', 'headTail'].includes(partKeys[0]!)) {
      fail("part must be exactly one of 'head', 'tail' or 'headTail'", p, i);
    }
    count(part[partKeys[0]!], `${p}.${partKeys[0]}`, i);
  });
}

function validateTransfer(body: Json, at: string, index: number): void {
  for (const key of ['from', 'to']) {
    if (body[key] === undefined) fail(`'${key}' is required`, `${at}.${key}`, index);
    string(body[key], `${at}.${key}`, index);
  }
  optional(body, 'format', at, index, string);
  optional(body, 'depth', at, index, (v, p, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('must be a number', p, i);
  });
  optional(body, 'fileset', at, index, (v, p, i) =>
    arrayOf(v, p, i, (f, fp) => {
      const set = object(f, fp, i);
      optional(set, 'desc', fp, i, string);
      optional(set, 'includes', fp, i, stringArray);
      optional(set, 'excludes', fp, i, stringArray);
    }),
  );
  optional(body, 'progress', at, index, object);
}

type Check = (value: unknown, path: string, index: number) => unknown;

function optional(obj: Json, key: string, at: string, index: number, check: Check): void {
  const value = obj[key];
  if (value !== undefined && value !== null) check(value, `${at}.${key}`, index);
}

function object(value: unknown, path: string, index?: number): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('must be an object', path, index);
  return value as Json;
}

function string(value: unknown, path: string, index: number): void {
  if (typeof value !== 'string') fail('must be a string', path, index);
}

function count(value: unknown, path: string, index: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail('must be a non-negative integer', path, index);
  }
}

function arrayOf(value: unknown, path: string, index: number, each: (v: unknown, p: string) => void): void {
  if (!Array.isArray(value)) fail('must be an array', path, index);
  value.forEach((v, i) => each(v, `${path}[${i}]`));
}

function stringArray(value: unknown, path: string, index: number): void {
  arrayOf(value, path, index, (v, p) => string(v, p, index));
}

function stringRecord(value: unknown, path: string, index: number): void {
  for (const [k, v] of Object.entries(object(value, path, index))) string(v, `${path}.${k}`, index);
}

function fail(message: string, path: string, commandIndex?: number): never {
  const where = path === '' ? '' : ` at ${path}`;
  throw new ExeScriptParseError(`Invalid ExeScript${where}: ${message}`, { path, commandIndex });
}
