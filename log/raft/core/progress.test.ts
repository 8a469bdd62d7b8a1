// majorityMatchIndex is the leader's commit rule: the highest index a quorum
// of voters holds. Checked against the plain definition (sort, take the
// quorum-th largest) for any voter count and any match indexes, including
// calls with fewer voters after more (its sort array is reused).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { majorityMatchIndex, quorumSize } from './progress.js';

function reference(matches: readonly number[]): number {
  const sorted = [...matches].sort((a, b) => b - a);
  return sorted[quorumSize(matches.length) - 1] ?? -1;
}

describe('majorityMatchIndex', () => {
  it('is the quorum-th largest match index', () => {
    expect(majorityMatchIndex([5])).toBe(5);
    expect(majorityMatchIndex([7, 3, 5])).toBe(5);
    expect(majorityMatchIndex([1, 9, 9, 2])).toBe(2);
    expect(majorityMatchIndex([10, 0, 4, 4, 8])).toBe(4);
  });

  it('agrees with sorting for any voter set, call after call', () => {
    const matchLists = fc.array(fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(matchLists, (lists) => {
        for (const matches of lists) expect(majorityMatchIndex(matches)).toBe(reference(matches));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an empty voter set', () => {
    expect(() => majorityMatchIndex([])).toThrow(/empty voter set/);
  });
});
