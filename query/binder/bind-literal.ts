// Literals typed as PostgreSQL types them: integers by magnitude (int4, then
// int8, then numeric), decimals as numeric, strings and NULL as unknown until
// context decides.

import type { Literal } from '../ast/index.js';
import { int4Max, int4Min, int8Max, int8Min } from '../types/integer.js';
import { parseNumeric } from '../types/numeric/decimal.js';
import { SqlTypes } from '../types/sql-type.js';
import { assertNever } from '../types/errors.js';
import type { BoundExpr } from './bound-expr.js';
import { notSupported } from './errors.js';

export function bindLiteral(literal: Literal): BoundExpr {
  const v = literal.value;
  switch (v.type) {
    case 'integer': {
      // Up to nine digits always fit int4: skip BigInt on the common path.
      if (v.text.length <= 9 || (v.text.length === 10 && v.text.startsWith('-'))) return { kind: 'const', type: SqlTypes.int4, value: Number(v.text), unknown: false };
      const n = BigInt(v.text);
      if (n >= BigInt(int4Min) && n <= BigInt(int4Max)) return { kind: 'const', type: SqlTypes.int4, value: Number(n), unknown: false };
      if (n >= int8Min && n <= int8Max) return { kind: 'const', type: SqlTypes.int8, value: n, unknown: false };
      return { kind: 'const', type: SqlTypes.numeric, value: parseNumeric(v.text), unknown: false };
    }
    case 'numeric': return { kind: 'const', type: SqlTypes.numeric, value: parseNumeric(v.text), unknown: false };
    case 'string': return { kind: 'const', type: SqlTypes.text, value: v.value, unknown: true };
    case 'boolean': return { kind: 'const', type: SqlTypes.bool, value: v.value, unknown: false };
    case 'null': return { kind: 'const', type: SqlTypes.text, value: null, unknown: true };
    case 'bitString': throw notSupported('bit string literals', literal.position);
    default: return assertNever(v, 'literal');
  }
}

export const trueConst: BoundExpr = { kind: 'const', type: SqlTypes.bool, value: true, unknown: false };
