import { describe, expect, it } from 'vitest';
import { CapturedOutput } from '../../src/exeunit/capture.js';
import { VirtualFs } from '../../src/exeunit/VirtualFs.js';
import { isVirtualFsError, VirtualFsError } from '../../src/exeunit/VirtualFsError.js';

function fsError(fn: () => unknown): VirtualFsError {
  try {
    fn();
  } catch (err) {
    if (isVirtualFsError(err)) return err;
    throw err;
  }
  throw new Error('expected a VirtualFsError');
}

describe('VirtualFs', () => {
  it('resolves paths against a working directory', () => {
    expect(VirtualFs.resolve('a/../b/./c', '/x/y')).toBe('/x/y/b/c');
    expect(VirtualFs.resolve('/a//b/', '/ignored')).toBe('/a/b');
    expect(VirtualFs.resolve('../../..', '/a')).toBe('/');
  });

  it('creates directories, with and without -p semantics', () => {
    const fs = new VirtualFs();
    expect(fsError(() => fs.mkdir('/a/b')).code).toBe('ENOENT');
    fs.mkdir('/a/b', { recursive: true });
    fs.mkdir('/a/b', { recursive: true });
    expect(fsError(() => fs.mkdir('/a/b')).code).toBe('EEXIST');
    expect(fs.isDir('/a')).toBe(true);
    expect(fs.readdir('/a')).toEqual(['b']);
  });

  it('writes, appends and reads files as bytes', () => {
    const fs = new VirtualFs();
    fs.writeFile('/f', 'ab');
    fs.writeFile('/f', new Uint8Array([99]), { append: true });
    expect(fs.readText('/f')).toBe('abc');
    const bytes = fs.readFile('/f');
    bytes[0] = 0;
    expect(fs.readText('/f')).toBe('abc');
    expect(fs.stat('/f')).toEqual({ type: 'file', size: 3 });
    expect(fs.totalBytes).toBe(3);
    fs.writeFile('/deep/er/g', 'x', { createParents: true });
    expect(fs.walk('/')).toEqual(['/deep/er/g', '/f']);
  });

  it('fails with POSIX codes', () => {
    const fs = new VirtualFs();
    fs.mkdir('/d');
    fs.writeFile('/d/f', 'x');
    expect(fsError(() => fs.readFile('/nope')).code).toBe('ENOENT');
    expect(fsError(() => fs.readFile('/d')).code).toBe('EISDIR');
    expect(fsError(() => fs.writeFile('/d', 'x')).code).toBe('EISDIR');
    expect(fsError(() => fs.writeFile('/d/f/g', 'x')).code).toBe('ENOTDIR');
    expect(fsError(() => fs.rm('/d')).code).toBe('ENOTEMPTY');
    expect(fsError(() => fs.readFile('relative')).code).toBe('EINVAL');
    expect(fsError(() => fs.readdir('/d/f')).code).toBe('ENOTDIR');
    const err = fsError(() => fs.readFile('/nope'));
    expect(err.message).toBe('/nope: No such file or directory');
  });

  it('copies, moves and removes trees', () => {
    const fs = new VirtualFs();
    fs.writeFile('/a/b/f', 'x', { createParents: true });
    fs.copy('/a', '/c', { recursive: true });
    fs.writeFile('/a/b/f', 'changed');
    expect(fs.readText('/c/b/f')).toBe('x');
    fs.mkdir('/into');
    fs.rename('/c', '/into');
    expect(fs.readText('/into/c/b/f')).toBe('x');
    expect(fsError(() => fs.copy('/a', '/a/b', { recursive: true })).code).toBe('EINVAL');
    fs.rm('/a', { recursive: true });
    fs.rm('/a', { force: true });
    expect(fs.exists('/a')).toBe(false);
  });
});

describe('CapturedOutput', () => {
  const write = (cap: CapturedOutput, ...chunks: string[]): unknown[] =>
    chunks.map((c) => cap.write(new TextEncoder().encode(c)));

  it('discards without a capture mode', () => {
    const cap = new CapturedOutput(undefined);
    expect(write(cap, 'abc')).toEqual([undefined]);
    expect(cap.output()).toBeNull();
  });

  it('keeps everything at the end, null when empty', () => {
    const cap = new CapturedOutput({ atEnd: {} });
    expect(write(cap, 'ab', 'cd')).toEqual([undefined, undefined]);
    expect(cap.output()).toBe('abcd');
    expect(new CapturedOutput({ atEnd: {} }).output()).toBeNull();
  });

  it('keeps head, tail or head and tail bytes', () => {
    const head = new CapturedOutput({ atEnd: { part: { head: 3 } } });
    write(head, 'ab', 'cdef');
    expect(head.output()).toBe('abc');
    const tail = new CapturedOutput({ atEnd: { part: { tail: 3 } } });
    write(tail, 'abcd', 'ef', 'g');
    expect(tail.output()).toBe('efg');
    const both = new CapturedOutput({ atEnd: { part: { headTail: 5 } } });
    write(both, '0123', '456789');
    expect(both.output()).toBe('01289');
    const short = new CapturedOutput({ atEnd: { part: { headTail: 10 } } });
    write(short, 'abc');
    expect(short.output()).toBe('abc');
  });

  it('gives bytes for binary format', () => {
    const cap = new CapturedOutput({ atEnd: { format: 'binary' } });
    cap.write(new Uint8Array([0, 255, 1]));
    expect(cap.output()).toEqual([0, 255, 1]);
  });

  it('falls back to Latin-1 for invalid UTF-8 in string format', () => {
    const cap = new CapturedOutput({ atEnd: { format: 'string' } });
    cap.write(new Uint8Array([0x61, 0xff]));
    expect(cap.output()).toBe('a\u00ff');
  });

  it('streams chunks up to the limit and keeps them for the results too', () => {
    const cap = new CapturedOutput({ stream: { limit: 5 } });
    expect(write(cap, 'abc', 'defg', 'h')).toEqual(['abc', 'de', undefined]);
    expect(cap.output()).toBe('abcde');
    const bin = new CapturedOutput({ stream: { format: 'bin' } });
    expect(bin.write(new Uint8Array([7]))).toEqual([7]);
  });
});
