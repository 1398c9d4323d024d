import type { RedisConnection } from '../../redis/index.js';
import { normalEmail, type Suppression, type SuppressionList } from '../suppression-list.js';

/** One hash per site, `{prefix}:mail:suppressed:<site>`: address → the entry as JSON. No TTL: consent outlives profiles. */
export class RedisSuppressionList implements SuppressionList {
  private readonly client: RedisConnection;
  private readonly prefix: string;

  constructor(options: { client: RedisConnection; prefix: string }) {
    this.client = options.client;
    this.prefix = `${options.prefix}:mail:suppressed:`;
  }

  async add(entry: Suppression): Promise<void> {
    const email = normalEmail(entry.email);
    await this.client.hSet(this.prefix + entry.site, email, JSON.stringify({ ...entry, email }));
  }

  async find(site: string, email: string): Promise<Suppression | undefined> {
    const text = await this.client.hGet(this.prefix + site, normalEmail(email));
    return text === null || text === undefined ? undefined : (JSON.parse(text) as Suppression);
  }

  async remove(site: string, email: string): Promise<boolean> {
    return Number(await this.client.hDel(this.prefix + site, normalEmail(email))) > 0;
  }

  async list(site: string): Promise<Suppression[]> {
    const all = await this.client.hGetAll(this.prefix + site);
    return Object.values(all)
      .map((text) => JSON.parse(text) as Suppression)
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  async close(): Promise<void> {}
}
