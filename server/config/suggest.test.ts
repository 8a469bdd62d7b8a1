import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from './suggest.js';

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(editDistance('sync_comit', 'sync_commit')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('ABC', 'abc')).toBe(0);
  });

  it('suggests only plausible typos or prefixes', () => {
    expect(closestMatch('stroage', ['node', 'storage', 'cluster'])).toBe('storage');
    expect(closestMatch('warning', ['info', 'warn', 'error'])).toBe('warn');
    expect(closestMatch('flux_capacitor', ['data_dir', 'wal_dir'])).toBeUndefined();
    expect(didYouMean('lz5', ['lz4', 'zstd'])).toBe(' (did you mean lz4?)');
    expect(didYouMean('qqqq', ['lz4', 'zstd'])).toBe('');
  });
});
