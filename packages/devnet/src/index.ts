// @golem-rx/devnet: the yagna twin.

// --- start a devnet
export { startDevnet } from './startDevnet.js';
export type { DevnetOptions, DevnetHandle, DevnetStats, DevnetProviderInfo } from './options.js';
export { parseAllowOrigin } from './cors.js';

// --- faults
export { parseFaultSpec, FAULT_STATUSES, PROVIDER_FAULT_KINDS } from './faults.js';
export type { Fault, FaultCount, FaultPlan, HttpFault, ProviderFault } from './contracts.js';

// --- seams between modules (for module authors and tests)
export type {
  AgreementView,
  ActivityFacade,
  DevnetContext,
  DevnetModule,
  MarketFacade,
} from './contracts.js';
export type { MarketStats } from './market/index.js';
export type { CommandHandler, CommandContext } from './exeunit/shell/types.js';

// --- the GSB service API (`/gsb-api/v1`): the requestor's services the exe-units' gftp transfers call
export { GSB_API_PATH, GSB_SUBPROTOCOL, GsbCallError, isGsbCallError } from './gsb/index.js';
export type { GsbMap, GsbNetwork, GsbStats, GsbValue } from './gsb/index.js';
export { GFTP_CHUNK_BYTES, GFTP_CONCURRENCY } from './gsb/gftpClient.js';

// --- image registry
export { BUILT_IN_IMAGES } from './images.js';

// --- errors
export { DevnetConfigError, isDevnetConfigError } from './errors/DevnetConfigError.js';
export type { DevnetConfigErrorContext } from './errors/DevnetConfigError.js';

// --- the simulated exe-unit (ExeScript, virtual file system, shell builtins)
export {
  ExeUnit,
  ExeScriptParseError,
  isExeScriptParseError,
  ExeUnitStateError,
  isExeUnitStateError,
  BatchNotFoundError,
  isBatchNotFoundError,
  TransferError,
  isTransferError,
  VirtualFs,
  VirtualFsError,
  isVirtualFsError,
  ShellError,
  isShellError,
  parseExeScript,
} from './exeunit/index.js';
export type {
  BatchResults,
  ExeUnitFaults,
  ExeUnitOptions,
  FaultDecision,
  ExeUnitUsage,
} from './exeunit/index.js';

// --- the constraint language (yagna's LDAP-like filters), matching both ways
export {
  parseConstraints,
  evaluate,
  evaluateTernary,
  matchDemandOffer,
  flattenProperties,
  ConstraintSyntaxError,
  isConstraintSyntaxError,
} from './market/constraints.js';
export type { Constraint, DemandOfferLike } from './market/constraints.js';
