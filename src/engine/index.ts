// The task engine: Engine.map of yapapi rebuilt on the spending operators.

// --- tasks and jobs
export { Task } from './Task.js';
export type { TaskOptions, TaskState } from './Task.js';
export { executeTasks } from './executeTasks.js';
export { mapTasks } from './mapTasks.js';
export type { ExecuteTasksOptions, TaskStrategy } from './options.js';
export { taskResults } from './taskResults.js';
export type { TaskStream, Worker } from './worker.js';

// --- the work context
export { WorkContext } from './context/WorkContext.js';
export type { CommitOptions, Execution, RunOptions, WorkContextOptions } from './context/WorkContext.js';
export type { CommandKind, CommandResult } from './context/script.js';
export type { ActivityLike, BatchLike, OutputChunk } from './context/execute.js';

// --- events and summaries
export type { EngineEvent, JobEvent, ProposalRejection, TaskEvent, TaskOutcome } from './events.js';
export { summarize } from './summarize.js';
export type { JobSummaryReport, NoOffersReport, SummarizeConfig, SummaryReport } from './summarize.js';
export { SummaryLogger } from './SummaryLogger.js';
export type { SummaryLoggerOptions } from './SummaryLogger.js';

// --- the scheduling core (port-based; marble-test a custom engine setup with golem-rx/testing fakes)
export { runTaskEngine } from './core/runTaskEngine.js';
export type {
  ActivityOfOffer,
  ReleaseOutcome,
  TaskEngineConfig,
  TaskEnginePorts,
  TaskFeed,
} from './core/ports.js';

// --- errors
export { BatchTimeoutError, isBatchTimeoutError } from './errors/BatchTimeoutError.js';
export { BudgetExceededError, isBudgetExceededError } from '../errors/BudgetExceededError.js';
export { JobStoppedError, isJobStoppedError } from './errors/JobStoppedError.js';
export type { JobStopReason } from './errors/JobStoppedError.js';
export { LocalPathError, isLocalPathError } from '../storage/errors/LocalPathError.js';
export { NoEligibleProviderError, isNoEligibleProviderError } from './errors/NoEligibleProviderError.js';
export { PaymentRefusedError, isPaymentRefusedError } from '../errors/PaymentRefusedError.js';
export { StorageError, isStorageError } from '../errors/StorageError.js';
export { TaskExpiredError, isTaskExpiredError } from './errors/TaskExpiredError.js';
export { TaskRejectedError, isTaskRejectedError } from './errors/TaskRejectedError.js';
export { TaskStateError, isTaskStateError } from './errors/TaskStateError.js';
export { TaskTimeoutError, isTaskTimeoutError } from './errors/TaskTimeoutError.js';
export { WorkContextClosedError, isWorkContextClosedError } from './errors/WorkContextClosedError.js';
export { WorkerFailedError, isWorkerFailedError } from './errors/WorkerFailedError.js';
export type { WorkerFailure } from './errors/WorkerFailedError.js';
