// One job, many requestor processes: a job's tasks on a JetStream work queue, each pulled by one
// worker process at a time (natsTasks → executeTasks → ackTasks, or joinJob), its outcomes back
// to the submitter (submitJob). Node-only, in golem-rx/nats.
export { submitJob } from './submitJob.js';
export { natsTasks } from './natsTasks.js';
export { ackTasks } from './ackTasks.js';
export { joinJob } from './joinJob.js';
export type { JoinJobOptions } from './joinJob.js';
export { cancelJob } from './cancelJob.js';
export type { CancelJobOptions } from './cancelJob.js';
export type { NatsTasksOptions, SubmitJobOptions } from './options.js';
export type { JobOutcome } from './outcome.js';
export * from './errors/index.js';
