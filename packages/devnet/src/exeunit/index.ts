// The simulated exe-unit of devnet: ExeScript types and parsing, the ExeUnit, its file system and shell.
export * from './exescript.js';
export {
  ExeScriptParseError,
  isExeScriptParseError,
  type ExeScriptParseErrorContext,
} from './ExeScriptParseError.js';
export {
  ExeUnit,
  type BatchResults,
  type ExeUnitFaults,
  type ExeUnitOptions,
  type FaultDecision,
} from './ExeUnit.js';
export { ExeUnitStateError, isExeUnitStateError } from './ExeUnitStateError.js';
export { BatchNotFoundError, isBatchNotFoundError } from './BatchNotFoundError.js';
export { TransferError, isTransferError } from './TransferError.js';
export { VirtualFs, type VirtualFsStat } from './VirtualFs.js';
export { VirtualFsError, isVirtualFsError, type VirtualFsErrorCode } from './VirtualFsError.js';
export type { ExeUnitUsage } from './usage.js';
export type { CommandContext, CommandHandler } from './shell/types.js';
export { ShellError, isShellError } from './shell/ShellError.js';
