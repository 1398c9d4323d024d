import { describe, it } from 'vitest';

/**
 * A contract suite whose server is absent outside CI (TW_REQUIRE_SERVERS unset): it shows in the
 * report as skipped, with the reason, rather than vanishing. In CI the server helpers throw before
 * this is reached; should one not, this throws too, so a skip can never pass CI.
 */
export function describeSkippedContract(name: string, contract: string, reason: string): void {
  if (process.env.TW_REQUIRE_SERVERS === '1') throw new Error(`${name}: the ${contract} contract would be skipped (${reason}), and TW_REQUIRE_SERVERS=1 forbids it.`);
  describe.skip(`${name} (skipped: ${reason})`, () => {
    it(`meets the ${contract} contract`, () => {});
  });
}
