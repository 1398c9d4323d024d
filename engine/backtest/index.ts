export { runBacktest } from './backtest.js';
export type { BacktestOptions, BacktestReport, BacktestDay } from './backtest.js';
export { storedEvents } from './stored-events.js';
export type { EventRange } from './stored-events.js';
export { BacktestApi } from './backtest-api.js';
export type { BacktestApiDeps, BacktestAuth } from './backtest-api.js';
