import { MemoryCatalogueStore } from '../../engine/catalogue/memory/index.js';
import { describeCatalogueStoreContract } from './catalogue-store.contract.js';

describeCatalogueStoreContract('MemoryCatalogueStore', async () => {
  const store = new MemoryCatalogueStore();
  return { store, peer: store, close: () => store.close() };
});
