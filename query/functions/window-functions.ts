// Window-only functions (ranking, navigation, value-at-frame). Each computes
// the values for a whole sorted partition at once; aggregates used as window
// functions are the executor's (they run over each row's frame).

import { InvalidParameterValueError, SqlError } from '../types/errors.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { anyElement, polyElementResult } from './signature.js';
import type { ArgType, ResultRule, WindowOverload, WindowPartition } from './signature.js';

const { int4, int8, float8 } = SqlTypes;

function windowFn(name: string, args: readonly ArgType[], result: ResultRule, compute: (p: WindowPartition) => SqlValue[]): WindowOverload {
  return { name, args, variadic: null, result, implement: () => (p) => compute(p) };
}

function perRow(p: WindowPartition, f: (row: number) => SqlValue): SqlValue[] {
  const out: SqlValue[] = new Array<SqlValue>(p.rowCount);
  for (let i = 0; i < p.rowCount; i++) out[i] = f(i);
  return out;
}

/** rank(): 1 + the number of rows before the current row's peer group. */
function rank(p: WindowPartition): SqlValue[] {
  return perRow(p, (i) => BigInt(p.peersStart(i) + 1));
}

function denseRank(p: WindowPartition): SqlValue[] {
  let groups = 0;
  let lastStart = -1;
  return perRow(p, (i) => {
    const start = p.peersStart(i);
    if (start !== lastStart) { groups++; lastStart = start; }
    return BigInt(groups);
  });
}

function ntile(p: WindowPartition): SqlValue[] {
  return perRow(p, (i) => {
    const buckets = p.arg(0, i);
    if (buckets === null) return null;
    const n = buckets as number;
    if (n <= 0) throw new InvalidParameterValueError('argument of ntile must be greater than zero');
    const per = Math.floor(p.rowCount / n);
    const extra = p.rowCount % n;
    // The first `extra` buckets hold one more row.
    const boundary = extra * (per + 1);
    return i < boundary ? Math.floor(i / (per + 1)) + 1 : extra + Math.floor((i - boundary) / Math.max(per, 1)) + 1;
  });
}

function offsetOf(p: WindowPartition, i: number, argCount: number): number | null {
  if (argCount < 2) return 1;
  const v = p.arg(1, i);
  return v === null ? null : (v as number);
}

/** lag/lead(value [, offset [, default]]): the value `offset` rows away in the partition. */
function shifted(direction: -1 | 1, argCount: number): (p: WindowPartition) => SqlValue[] {
  return (p) => perRow(p, (i) => {
    const offset = offsetOf(p, i, argCount);
    if (offset === null) return null;
    const target = i + direction * offset;
    if (target < 0 || target >= p.rowCount) return argCount >= 3 ? p.arg(2, i) : null;
    return p.arg(0, target);
  });
}

function nthValue(p: WindowPartition): SqlValue[] {
  return perRow(p, (i) => {
    const nth = p.arg(1, i);
    if (nth === null) return null;
    if ((nth as number) <= 0) throw new SqlError('22016', 'argument of nth_value must be greater than zero');
    const target = p.frameStart(i) + (nth as number) - 1;
    return target < p.frameEnd(i) ? p.arg(0, target) : null;
  });
}

const navigation: readonly WindowOverload[] = [
  ...([1, 2, 3] as const).flatMap((argCount) => {
    const args: ArgType[] = [anyElement, int4, anyElement].slice(0, argCount);
    return [
      windowFn('lag', args, polyElementResult, shifted(-1, argCount)),
      windowFn('lead', args, polyElementResult, shifted(1, argCount)),
    ];
  }),
  windowFn('first_value', [anyElement], polyElementResult, (p) => perRow(p, (i) => (p.frameEnd(i) > p.frameStart(i) ? p.arg(0, p.frameStart(i)) : null))),
  windowFn('last_value', [anyElement], polyElementResult, (p) => perRow(p, (i) => (p.frameEnd(i) > p.frameStart(i) ? p.arg(0, p.frameEnd(i) - 1) : null))),
  windowFn('nth_value', [anyElement, int4], polyElementResult, nthValue),
];

export const windowFunctions: readonly WindowOverload[] = [
  windowFn('row_number', [], int8, (p) => perRow(p, (i) => BigInt(i + 1))),
  windowFn('rank', [], int8, rank),
  windowFn('dense_rank', [], int8, denseRank),
  windowFn('percent_rank', [], float8, (p) => perRow(p, (i) => (p.rowCount <= 1 ? 0 : p.peersStart(i) / (p.rowCount - 1)))),
  windowFn('cume_dist', [], float8, (p) => perRow(p, (i) => p.peersEnd(i) / p.rowCount)),
  windowFn('ntile', [int4], int4, ntile),
  ...navigation,
];
