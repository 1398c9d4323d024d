export { FileSuppressionList } from './file-suppression-list.js';
