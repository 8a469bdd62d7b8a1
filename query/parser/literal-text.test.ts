// decimalInteger: the canonical decimal text of an integer constant, with or
// without the BigInt round trip (plain canonical text is returned as is).
import { describe, expect, test } from 'vitest';
import { decimalInteger } from './literal-text.js';

describe('decimalInteger', () => {
  test('canonical texts come back unchanged; the rest as BigInt prints them', () => {
    const cases: [string, string][] = [
      ['0', '0'], ['-0', '0'], ['7', '7'], ['-5', '-5'], ['10', '10'], ['007', '7'], ['-007', '-7'], ['00', '0'],
      ['1_000', '1000'], ['0x1F', '31'], ['-0b101', '-5'], ['0o17', '15'],
      ['123456789012345', '123456789012345'], ['1234567890123456', '1234567890123456'], ['-9223372036854775808', '-9223372036854775808'],
    ];
    for (const [text, expected] of cases) expect(decimalInteger(text), text).toBe(expected);
  });
});
