// src/rx: the small Rx helpers the layers share, one copy each (fromCall, alongside, isPromiseLike,
// isRecord); public: fromCall, the cold abortable call every resource action is made of.
export type { CallResult } from './fromCall.js';
export { fromCall } from './fromCall.js';
