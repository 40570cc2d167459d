// golem-rx/web: the web wiring (src/integrations: runnables, signals, the status model and its
// JSON handler) and the live dashboard (src/dashboard), which sits above it. See docs/web.md.
export * from './integrations/index.js';
export { startDashboard } from './dashboard/startDashboard.js';
export type { DashboardConfig, DashboardHandle } from './dashboard/startDashboard.js';
