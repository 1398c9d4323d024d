/*
 * Key layout (prefix as the window store's, default "tw"):
 *
 *   {prefix}:cat:{site}:p:<product id>   hash  one product (fields: see product-hash.ts)
 *   {prefix}:cat:{site}:ids              set   the site's product ids, for list()
 *   {prefix}:cat:{site}:fan-outs         hash  change id -> change JSON: fan-outs not yet delivered
 *
 * A catalogue key is the site's, not a visitor's: the hash tag is the site, so a batch of one
 * site's products is written by one script in one slot.
 */
export class CatalogueKeys {
  readonly ids: string;
  readonly pendingFanOuts: string;
  private readonly base: string;

  constructor(prefix: string, site: string) {
    this.base = `${prefix}:cat:{${site.replace(/[%:{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)}}:`;
    this.ids = `${this.base}ids`;
    this.pendingFanOuts = `${this.base}fan-outs`;
  }

  product(id: string): string {
    return `${this.base}p:${id}`;
  }
}
