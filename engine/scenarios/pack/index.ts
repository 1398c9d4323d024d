export { PACK_DIR, loadPack, packNames } from './pack.js';
