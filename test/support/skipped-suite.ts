import { describe, it } from 'vitest';

/**
 * A contract suite whose server is absent outside CI (TW_REQUIRE_SERVERS unset): it shows in the
 * report as skipped, with the reason, rather than vanishing. In CI the server helpers throw instead.
 */
export function describeSkippedContract(name: string, contract: string, reason: string): void {
  describe.skip(`${name} (skipped: ${reason})`, () => {
    it(`meets the ${contract} contract`, () => {});
  });
}
