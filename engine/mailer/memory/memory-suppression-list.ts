import { normalEmail, type Suppression, type SuppressionList } from '../suppression-list.js';

/** The in-process SuppressionList; it lasts as long as the engine process. */
export class MemorySuppressionList implements SuppressionList {
  private readonly entries = new Map<string, Map<string, Suppression>>();

  async add(entry: Suppression): Promise<void> {
    const email = normalEmail(entry.email);
    const site = this.entries.get(entry.site) ?? new Map<string, Suppression>();
    site.set(email, { ...entry, email });
    this.entries.set(entry.site, site);
  }

  async find(site: string, email: string): Promise<Suppression | undefined> {
    return this.entries.get(site)?.get(normalEmail(email));
  }

  async remove(site: string, email: string): Promise<boolean> {
    return this.entries.get(site)?.delete(normalEmail(email)) ?? false;
  }

  async list(site: string): Promise<Suppression[]> {
    return [...(this.entries.get(site)?.values() ?? [])].sort((a, b) => a.email.localeCompare(b.email));
  }

  async close(): Promise<void> {}
}
