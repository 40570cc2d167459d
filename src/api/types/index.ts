export type * from './common.js';
export type * from './market.js';
export type * from './activity.js';
export type * from './payment.js';
