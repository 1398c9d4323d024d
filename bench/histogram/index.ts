export { EMPTY_HISTOGRAM, quantileBetween } from './histogram-reading.js';
export type { HistogramReading } from './histogram-reading.js';
