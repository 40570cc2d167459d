import { DevnetError, errorGuard } from '../errors/DevnetError.js';

/** POSIX-like error codes of the virtual file system. */
export type VirtualFsErrorCode = 'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'EINVAL';

const TEXT: Record<VirtualFsErrorCode, string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  EINVAL: 'Invalid argument',
};

/**
 * A virtual file system operation failed. `message` reads like a shell's (`/x: No such file or
 * directory`), so the simulated shell prints it as it is.
 */
export class VirtualFsError extends DevnetError {
  override readonly name = 'VirtualFsError' as const;
  readonly code: VirtualFsErrorCode;
  readonly path: string;

  constructor(code: VirtualFsErrorCode, path: string) {
    super(`${path}: ${TEXT[code]}`);
    this.code = code;
    this.path = path;
  }

  /** The POSIX description of the code alone (`No such file or directory`). */
  get description(): string {
    return TEXT[this.code];
  }
}

/** Is `err` a {@link VirtualFsError} (also across realms)? */
export const isVirtualFsError = errorGuard(VirtualFsError, 'VirtualFsError');
