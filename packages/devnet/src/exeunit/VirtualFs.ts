import { VirtualFsError } from './VirtualFsError.js';

type Node = FileNode | DirNode;
interface FileNode {
  readonly type: 'file';
  data: Uint8Array;
}
interface DirNode {
  readonly type: 'dir';
  readonly children: Map<string, Node>;
}

/** What {@link VirtualFs.stat} tells about a path. */
export interface VirtualFsStat {
  readonly type: 'file' | 'dir';
  /** Bytes of a file; number of entries of a directory. */
  readonly size: number;
}

const encoder = new TextEncoder();

/**
 * The in-memory file system of one simulated activity: absolute paths, directories, files as
 * bytes. Every method takes an absolute path (`.` and `..` are resolved, `//` collapsed);
 * a relative path throws `EINVAL`. Failures throw {@link VirtualFsError} with a POSIX code.
 *
 * @example
 * const fs = new VirtualFs();
 * fs.mkdir('/golem/input', { recursive: true });
 * fs.writeFile('/golem/input/a.txt', 'hello');
 * fs.readText('/golem/input/a.txt'); // 'hello'
 */
export class VirtualFs {
  private readonly root: DirNode = { type: 'dir', children: new Map() };

  /** Resolves `path` against `cwd` (both POSIX) into a normalized absolute path. */
  static resolve(path: string, cwd = '/'): string {
    const parts: string[] = [];
    const full = path.startsWith('/') ? path : `${cwd}/${path}`;
    for (const part of full.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  }

  /** Does anything exist at `path`? */
  exists(path: string): boolean {
    return this.find(path) !== undefined;
  }

  /** Type and size of `path`, or `undefined` when nothing is there. */
  stat(path: string): VirtualFsStat | undefined {
    const node = this.find(path);
    if (node === undefined) return undefined;
    return node.type === 'file'
      ? { type: 'file', size: node.data.length }
      : { type: 'dir', size: node.children.size };
  }

  /** Is `path` a directory? */
  isDir(path: string): boolean {
    return this.find(path)?.type === 'dir';
  }

  /** Is `path` a regular file? */
  isFile(path: string): boolean {
    return this.find(path)?.type === 'file';
  }

  /** Creates a directory; with `recursive`, creates missing parents and accepts an existing one. */
  mkdir(path: string, options: { recursive?: boolean } = {}): void {
    const parts = this.split(path);
    let dir = this.root;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const here = `/${parts.slice(0, i + 1).join('/')}`;
      const last = i === parts.length - 1;
      const child = dir.children.get(name);
      if (child === undefined) {
        if (!last && options.recursive !== true) throw new VirtualFsError('ENOENT', here);
        const created: DirNode = { type: 'dir', children: new Map() };
        dir.children.set(name, created);
        dir = created;
      } else if (child.type === 'file') {
        throw new VirtualFsError(last ? 'EEXIST' : 'ENOTDIR', here);
      } else {
        if (last && options.recursive !== true) throw new VirtualFsError('EEXIST', here);
        dir = child;
      }
    }
  }

  /** The bytes of a file (a copy). */
  readFile(path: string): Uint8Array {
    return this.file(path).data.slice();
  }

  /** A file decoded as UTF-8. */
  readText(path: string): string {
    return new TextDecoder().decode(this.file(path).data);
  }

  /**
   * Writes (or with `append`, appends to) a file. The parent directory must exist unless
   * `createParents` is set.
   */
  writeFile(
    path: string,
    data: Uint8Array | string,
    options: { append?: boolean; createParents?: boolean } = {},
  ): void {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data.slice();
    const { parent, name, full } = this.parentOf(path, options.createParents === true);
    const existing = parent.children.get(name);
    if (existing?.type === 'dir') throw new VirtualFsError('EISDIR', full);
    if (existing !== undefined && options.append === true) {
      const joined = new Uint8Array(existing.data.length + bytes.length);
      joined.set(existing.data, 0);
      joined.set(bytes, existing.data.length);
      existing.data = joined;
    } else {
      parent.children.set(name, { type: 'file', data: bytes });
    }
  }

  /** Names in a directory, sorted. */
  readdir(path: string): string[] {
    const node = this.find(path);
    const full = VirtualFs.resolve(path);
    if (node === undefined) throw new VirtualFsError('ENOENT', full);
    if (node.type !== 'dir') throw new VirtualFsError('ENOTDIR', full);
    return [...node.children.keys()].sort();
  }

  /** Removes a file, or a directory (non-empty ones only with `recursive`); `force` ignores a missing path. */
  rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    const full = VirtualFs.resolve(this.split(path).join('/'));
    if (full === '/') throw new VirtualFsError('EINVAL', full);
    const node = this.find(full);
    if (node === undefined) {
      if (options.force === true) return;
      throw new VirtualFsError('ENOENT', full);
    }
    if (node.type === 'dir' && node.children.size > 0 && options.recursive !== true) {
      throw new VirtualFsError('ENOTEMPTY', full);
    }
    const { parent, name } = this.parentOf(full, false);
    parent.children.delete(name);
  }

  /** Copies a file, or a directory tree with `recursive`. Copying onto a directory copies into it. */
  copy(from: string, to: string, options: { recursive?: boolean } = {}): void {
    const src = this.find(from);
    const srcPath = VirtualFs.resolve(from);
    if (src === undefined) throw new VirtualFsError('ENOENT', srcPath);
    if (src.type === 'dir' && options.recursive !== true) throw new VirtualFsError('EISDIR', srcPath);
    const target = this.intoDir(srcPath, to);
    if (target === srcPath || target.startsWith(`${srcPath}/`)) throw new VirtualFsError('EINVAL', target);
    const { parent, name } = this.parentOf(target, false);
    const existing = parent.children.get(name);
    if (existing?.type === 'dir' && src.type === 'file') throw new VirtualFsError('EISDIR', target);
    parent.children.set(name, clone(src));
  }

  /** Moves a file or directory. Moving onto a directory moves into it. */
  rename(from: string, to: string): void {
    const srcPath = VirtualFs.resolve(from);
    const { parent: srcParent, name: srcName } = this.parentOf(srcPath, false);
    const src = srcParent.children.get(srcName);
    if (src === undefined) throw new VirtualFsError('ENOENT', srcPath);
    const target = this.intoDir(srcPath, to);
    if (target === srcPath) return;
    if (target.startsWith(`${srcPath}/`)) throw new VirtualFsError('EINVAL', target);
    const { parent, name } = this.parentOf(target, false);
    if (parent.children.get(name)?.type === 'dir') throw new VirtualFsError('EISDIR', target);
    srcParent.children.delete(srcName);
    parent.children.set(name, src);
  }

  /** Every file under `path` (recursively), as absolute paths, sorted. */
  walk(path = '/'): string[] {
    const start = this.find(path);
    const base = VirtualFs.resolve(path);
    if (start === undefined) return [];
    if (start.type === 'file') return [base];
    const out: string[] = [];
    const visit = (dir: DirNode, at: string): void => {
      for (const [name, node] of [...dir.children].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const p = at === '/' ? `/${name}` : `${at}/${name}`;
        if (node.type === 'file') out.push(p);
        else visit(node, p);
      }
    };
    visit(start, base);
    return out;
  }

  /** Total bytes held in files. */
  get totalBytes(): number {
    let total = 0;
    const visit = (dir: DirNode): void => {
      for (const node of dir.children.values()) {
        if (node.type === 'file') total += node.data.length;
        else visit(node);
      }
    };
    visit(this.root);
    return total;
  }

  private intoDir(srcPath: string, to: string): string {
    const target = VirtualFs.resolve(to);
    if (!this.isDir(target)) return target;
    const base = srcPath.slice(srcPath.lastIndexOf('/') + 1);
    return target === '/' ? `/${base}` : `${target}/${base}`;
  }

  private split(path: string): string[] {
    if (!path.startsWith('/')) throw new VirtualFsError('EINVAL', path);
    return VirtualFs.resolve(path).split('/').filter(Boolean);
  }

  private find(path: string): Node | undefined {
    let node: Node = this.root;
    for (const name of this.split(path)) {
      if (node.type !== 'dir') return undefined;
      const next = node.children.get(name);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private file(path: string): FileNode {
    const node = this.find(path);
    const full = VirtualFs.resolve(path);
    if (node === undefined) throw new VirtualFsError('ENOENT', full);
    if (node.type === 'dir') throw new VirtualFsError('EISDIR', full);
    return node;
  }

  private parentOf(path: string, createParents: boolean): { parent: DirNode; name: string; full: string } {
    const parts = this.split(path);
    const full = `/${parts.join('/')}`;
    const name = parts.pop();
    if (name === undefined) throw new VirtualFsError('EINVAL', full);
    const parentPath = `/${parts.join('/')}`;
    if (createParents) this.mkdir(parentPath, { recursive: true });
    const parent = this.find(parentPath);
    if (parent === undefined) throw new VirtualFsError('ENOENT', full);
    if (parent.type !== 'dir') throw new VirtualFsError('ENOTDIR', full);
    return { parent, name, full };
  }
}

function clone(node: Node): Node {
  if (node.type === 'file') return { type: 'file', data: node.data.slice() };
  return { type: 'dir', children: new Map([...node.children].map(([k, v]) => [k, clone(v)])) };
}
