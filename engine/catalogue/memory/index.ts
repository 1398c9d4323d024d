export { MemoryCatalogueStore } from './memory-catalogue-store.js';
