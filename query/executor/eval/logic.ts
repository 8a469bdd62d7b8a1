// Three-valued logic: AND, OR, NOT, IS [NOT] NULL / TRUE / FALSE / UNKNOWN
// and IS [NOT] DISTINCT FROM.

import type { OperatorFn } from '../../functions/index.js';
import type { SqlValue } from '../../types/value.js';
import { withChildren } from './compiled.js';
import type { CompiledExpr, Evaluator } from './compiled.js';

/** AND: FALSE wins, then NULL; OR: TRUE wins, then NULL. Evaluation stops at the deciding value. */
export function compileAndOr(kind: 'and' | 'or', args: readonly CompiledExpr[]): CompiledExpr {
  const evaluators = args.map((a) => a.evaluate);
  const decisive = kind === 'or';
  const evaluate: Evaluator = (row, env) => {
    let sawNull = false;
    for (const e of evaluators) {
      const v = e(row, env);
      if (v === null) sawNull = true;
      else if (v === decisive) return decisive;
    }
    return sawNull ? null : !decisive;
  };
  return withChildren(evaluate, args);
}

export function compileNot(arg: CompiledExpr): CompiledExpr {
  const e = arg.evaluate;
  return withChildren((row, env) => {
    const v = e(row, env);
    return v === null ? null : !v;
  }, [arg]);
}

export function compileNullTest(arg: CompiledExpr, negated: boolean): CompiledExpr {
  const e = arg.evaluate;
  return withChildren((row, env) => (e(row, env) === null) !== negated, [arg]);
}

export function compileBoolTest(arg: CompiledExpr, test: 'true' | 'false' | 'unknown', negated: boolean): CompiledExpr {
  const e = arg.evaluate;
  const want: SqlValue = test === 'true' ? true : test === 'false' ? false : null;
  return withChildren((row, env) => (e(row, env) === want) !== negated, [arg]);
}

export function compileDistinctFrom(left: CompiledExpr, right: CompiledExpr, equals: OperatorFn, negated: boolean): CompiledExpr {
  const l = left.evaluate;
  const r = right.evaluate;
  return withChildren((row, env) => {
    const a = l(row, env);
    const b = r(row, env);
    const distinct = a === null || b === null ? a !== b : equals(a, b, env) !== true;
    return distinct !== negated;
  }, [left, right]);
}
