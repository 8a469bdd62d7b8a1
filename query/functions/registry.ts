// The function library's catalogue: name → overloads for scalar functions,
// operators (by symbol and arity), aggregates, window functions and table
// functions. Built once at module load; the binder reads it, nothing writes it.

import { aggregateFunctions } from './aggregates.js';
import { arithmeticOperators } from './arithmetic-operators.js';
import { arrayFunctions } from './array-functions.js';
import { comparisonOperators } from './comparison-operators.js';
import { datetimeFunctions } from './datetime-functions.js';
import { datetimeOperators } from './datetime-operators.js';
import { jsonFunctions, jsonOperators } from './json-functions.js';
import { mathFunctions } from './math-functions.js';
import { miscOperators } from './misc-operators.js';
import { regexFunctions } from './regex-functions.js';
import { similarToFunctions } from './similar-to.js';
import { formatFunctions } from './format.js';
import type {
  AggregateOverload, OperatorOverload, ScalarOverload, TableFunctionOverload, WindowOverload,
} from './signature.js';
import { stringFunctions } from './string-functions.js';
import { systemFunctions } from './system-functions.js';
import { tableFunctions } from './table-functions.js';
import { windowFunctions } from './window-functions.js';
import { catalogFunctions, catalogTableFunctions } from '../system-catalog/catalog-functions.js';

function groupBy<T>(items: readonly T[], key: (item: T) => string): ReadonlyMap<string, readonly T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list === undefined) map.set(k, [item]); else list.push(item);
  }
  return map;
}

const scalarFunctions = groupBy<ScalarOverload>(
  [...stringFunctions, ...formatFunctions, ...regexFunctions, ...similarToFunctions, ...mathFunctions, ...datetimeFunctions, ...systemFunctions, ...arrayFunctions, ...jsonFunctions, ...catalogFunctions],
  (f) => f.name,
);
const operators = groupBy<OperatorOverload>(
  [...arithmeticOperators, ...comparisonOperators, ...datetimeOperators, ...miscOperators, ...jsonOperators],
  (o) => `${o.symbol}/${o.args.length}`,
);
const aggregates = groupBy<AggregateOverload>(aggregateFunctions, (a) => a.name);
const windows = groupBy<WindowOverload>(windowFunctions, (w) => w.name);
const tables = groupBy<TableFunctionOverload>([...tableFunctions, ...catalogTableFunctions], (t) => t.name);

const none: readonly never[] = [];

export function scalarOverloads(name: string): readonly ScalarOverload[] {
  return scalarFunctions.get(name) ?? none;
}

/** Prefix operators have one argument, infix operators two. */
export function operatorOverloads(symbol: string, arity: 1 | 2): readonly OperatorOverload[] {
  return operators.get(`${symbol}/${arity}`) ?? none;
}

export function aggregateOverloads(name: string): readonly AggregateOverload[] {
  return aggregates.get(name) ?? none;
}

export function windowOverloads(name: string): readonly WindowOverload[] {
  return windows.get(name) ?? none;
}

export function tableFunctionOverloads(name: string): readonly TableFunctionOverload[] {
  return tables.get(name) ?? none;
}

/** Whether any kind of function goes by `name` (for "function ... does not exist" versus misuse errors). */
export function functionExists(name: string): boolean {
  return scalarFunctions.has(name) || aggregates.has(name) || windows.has(name) || tables.has(name);
}

/** Every overload of every kind, for pg_proc (query/system-catalog). */
export function allOverloads(): {
  readonly scalars: readonly ScalarOverload[]; readonly aggregates: readonly AggregateOverload[];
  readonly windows: readonly WindowOverload[]; readonly tables: readonly TableFunctionOverload[];
} {
  return {
    scalars: [...scalarFunctions.values()].flat(), aggregates: [...aggregates.values()].flat(),
    windows: [...windows.values()].flat(), tables: [...tables.values()].flat(),
  };
}
