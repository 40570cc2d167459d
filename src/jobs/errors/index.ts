export { JobInputError, isJobInputError } from './JobInputError.js';
export type { JobInputProblem } from './JobInputError.js';
export { JobMessageError, isJobMessageError } from './JobMessageError.js';
export { JobQueueError, isJobQueueError } from './JobQueueError.js';
export type { JobQueueOperation } from './JobQueueError.js';
export { JobTaskFailedError, isJobTaskFailedError } from './JobTaskFailedError.js';
