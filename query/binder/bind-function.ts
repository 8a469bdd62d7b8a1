// Function calls: scalar functions, aggregates (with DISTINCT, ORDER BY and
// FILTER), window functions (window-only ones and aggregates OVER a window),
// and the SQL-standard keyword functions (CURRENT_DATE, CURRENT_USER, ...).

import type { FunctionCall, SqlValueFunctionName } from '../ast/index.js';
import {
  aggregateOverloads, currentDate, currentSchema, currentTimestamp, localTime, localTimestamp, scalarOverloads,
  tableFunctionOverloads, windowOverloads,
} from '../functions/index.js';
import type { FunctionEnv, OverloadSignature, ScalarFn, Volatility } from '../functions/index.js';
import { SqlError } from '../types/errors.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import { bindSortKeys, bindWindowSpec, resolveWindowSpec } from './bind-window-spec.js';
import type { BoundAggregate, BoundExpr, WindowImpl } from './bound-expr.js';
import { coerceOrFail, coerceToBoolean, typedInput } from './coerce.js';
import type { TypedInput } from './coerce.js';
import { bindError, BinderState, notSupported, positionField, undefinedFunction } from './errors.js';
import type { ExprContext } from './expr-context.js';
import { rewrite, sameExpr, some } from './expr-utils.js';
import { resolveOverload, signatureText } from './overload.js';
import type { Resolved } from './overload.js';

function qualifiedName(call: FunctionCall): string {
  return call.name.schema === null ? call.name.name : `${call.name.schema}.${call.name.name}`;
}

/** Resolves an overload or raises PostgreSQL's 42883 / 42725. */
export function resolveFunction<T extends OverloadSignature>(name: string, candidates: readonly T[], inputs: readonly TypedInput[], position: number): Resolved<T> {
  const result = resolveOverload(candidates, inputs);
  if (result.kind === 'found') return result.resolved;
  const signature = signatureText(name, inputs);
  if (result.kind === 'ambiguous') {
    throw new SqlError(BinderState.ambiguousFunction, `function ${signature} is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.', ...positionField(position),
    });
  }
  throw undefinedFunction(signature, position);
}

function coerceArgs(args: readonly BoundExpr[], types: readonly SqlType[], ctx: ExprContext, position: number): BoundExpr[] {
  return args.map((a, i) => coerceOrFail(a, types[i] ?? a.type, 'implicit', ctx.bind, position, () => 'function argument cannot be converted'));
}

function refuseAggregateOptions(call: FunctionCall, name: string): void {
  const what = call.star ? `${name}(*)` : call.distinct ? 'DISTINCT' : call.orderBy.length > 0 ? 'ORDER BY' : call.filter !== null ? 'FILTER' : null;
  if (what !== null) throw bindError(BinderState.wrongObjectType, `${what} specified, but ${name} is not an aggregate function`, call.position);
}

export function bindFunctionCall(call: FunctionCall, ctx: ExprContext): BoundExpr {
  const schema = call.name.schema;
  const name = call.name.name;
  if (call.withinGroup) throw notSupported('ordered-set aggregates (WITHIN GROUP)', call.position);
  if (schema !== null && schema !== 'pg_catalog') {
    const args = call.args.map((a) => bindExpr(a, ctx));
    throw undefinedFunction(signatureText(qualifiedName(call), args.map((a) => typedInput(a, ctx.bind))), call.position);
  }
  if (call.over !== null) return bindWindowCall(call, ctx);
  if (aggregateOverloads(name).length > 0) return bindAggregateCall(call, ctx);
  refuseAggregateOptions(call, name);
  if (windowOverloads(name).length > 0) throw bindError(BinderState.wrongObjectType, `window function ${name} requires an OVER clause`, call.position);
  const args = call.args.map((a) => bindExpr(a, ctx));
  const inputs = args.map((a) => typedInput(a, ctx.bind));
  // pg_typeof reports an untyped literal as "unknown", before anything resolves it.
  if (name === 'pg_typeof' && inputs.length === 1 && inputs[0]?.unknown === true) {
    return { kind: 'const', type: SqlTypes.text, value: 'unknown', unknown: false };
  }
  if (scalarOverloads(name).length === 0 && tableFunctionOverloads(name).length > 0) return bindSetReturning(name, args, ctx, call.position);
  return bindScalarCall(name, args, ctx, call.position);
}

/** A call of the scalar function `name` on arguments already bound. */
export function bindScalarCall(name: string, args: readonly BoundExpr[], ctx: ExprContext, position: number): BoundExpr {
  const resolved = resolveFunction(name, scalarOverloads(name), args.map((a) => typedInput(a, ctx.bind)), position);
  const o = resolved.overload;
  return {
    kind: 'call', type: resolved.resultType, name, args: coerceArgs(args, resolved.argTypes, ctx, position),
    fn: o.implement(resolved.argTypes, resolved.resultType), strict: o.strict, volatility: o.volatility,
  };
}

function readsOnlyOuterValues(exprs: readonly BoundExpr[]): boolean {
  const local = exprs.some((a) => some(a, (e) => e.kind === 'column'));
  const outer = exprs.some((a) => some(a, (e) => e.kind === 'outerRef'));
  return outer && !local;
}

/**
 * An aggregate whose arguments read only the enclosing query belongs to that
 * query, as in PostgreSQL (`HAVING EXISTS (... WHERE x = min(t.a))`): it is
 * rebuilt over the enclosing query's values and passed in as one more
 * correlation argument. Only one level up is supported.
 */
function outerAggregate(aggregate: BoundAggregate, ctx: ExprContext, position: number): BoundExpr {
  const correlation = ctx.scope.correlation;
  if (correlation === null) throw notSupported('aggregate functions over outer query columns here', position);
  const outerExprs = correlation.exprs;
  const lift = (e: BoundExpr): BoundExpr => rewrite(e, (x) => {
    if (x.kind === 'column') throw notSupported('aggregate functions mixing outer and local columns', position);
    if (x.kind !== 'outerRef') return undefined;
    correlation.release(x.index);
    const outer = outerExprs[x.index];
    if (outer === undefined || some(outer, (o) => o.kind === 'outerRef')) throw notSupported('aggregate functions over columns two query levels up', position);
    return outer;
  });
  const lifted: BoundAggregate = {
    ...aggregate, args: aggregate.args.map(lift), filter: aggregate.filter === null ? null : lift(aggregate.filter),
    orderBy: aggregate.orderBy.map((k) => ({ ...k, expr: lift(k.expr) })),
  };
  const index = correlation.register(lifted);
  return { kind: 'outerRef', type: aggregate.type, index, name: aggregate.name };
}

function bindAggregateCall(call: FunctionCall, ctx: ExprContext): BoundExpr {
  const name = call.name.name;
  const argCtx: ExprContext = {
    ...ctx,
    setReturning: false,
    noAggregates: 'aggregate function calls cannot be nested',
    noWindows: 'aggregate function calls cannot contain window function calls',
  };
  const args = call.star ? [] : call.args.map((a) => bindExpr(a, argCtx));
  const resolved = resolveFunction(name, aggregateOverloads(name), args.map((a) => typedInput(a, ctx.bind)), call.position);
  const coerced = coerceArgs(args, resolved.argTypes, ctx, call.position);
  const filter = call.filter === null ? null : coerceToBoolean(bindExpr(call.filter, argCtx), ctx.bind, 'FILTER', call.position);
  const orderBy = bindSortKeys(call.orderBy, argCtx);
  if (call.distinct && orderBy.some((k) => !coerced.some((a) => sameExpr(a, k.expr)))) {
    throw bindError(BinderState.invalidColumnReference, 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list', call.position);
  }
  const aggregate: BoundAggregate = {
    kind: 'aggregate', type: resolved.resultType, name, args: coerced, argTypes: resolved.argTypes, distinct: call.distinct,
    filter, orderBy, strict: resolved.overload.strict, create: resolved.overload.implement(resolved.argTypes, resolved.resultType),
  };
  if (readsOnlyOuterValues([...coerced, ...(filter === null ? [] : [filter])])) return outerAggregate(aggregate, ctx, call.position);
  if (ctx.noAggregates !== null) throw bindError(BinderState.groupingError, ctx.noAggregates, call.position);
  return aggregate;
}

function bindWindowCall(call: FunctionCall, ctx: ExprContext): BoundExpr {
  const name = call.name.name;
  if (ctx.noWindows !== null) throw bindError(BinderState.windowingError, ctx.noWindows, call.position);
  const over = call.over;
  if (over === null) throw new Error('bindWindowCall without OVER');
  const innerCtx: ExprContext = { ...ctx, setReturning: false, noWindows: 'window function calls cannot be nested' };
  const spec = bindWindowSpec(resolveWindowSpec(over, ctx.windows), innerCtx);
  const args = call.star ? [] : call.args.map((a) => bindExpr(a, innerCtx));
  const inputs = args.map((a) => typedInput(a, ctx.bind));
  const filter = call.filter === null ? null : coerceToBoolean(bindExpr(call.filter, innerCtx), ctx.bind, 'FILTER', call.position);
  let impl: WindowImpl;
  let resolvedArgs: readonly SqlType[];
  let type: SqlType;
  if (windowOverloads(name).length > 0) {
    if (filter !== null) throw notSupported('FILTER for non-aggregate window functions', call.position);
    const r = resolveFunction(name, windowOverloads(name), inputs, call.position);
    impl = { kind: 'window', compute: r.overload.implement(r.argTypes, r.resultType) };
    resolvedArgs = r.argTypes;
    type = r.resultType;
  } else if (aggregateOverloads(name).length > 0) {
    if (call.distinct) throw notSupported('DISTINCT in window functions', call.position);
    if (call.orderBy.length > 0) throw notSupported('aggregate ORDER BY in window functions', call.position);
    const r = resolveFunction(name, aggregateOverloads(name), inputs, call.position);
    impl = { kind: 'aggregate', create: r.overload.implement(r.argTypes, r.resultType), strict: r.overload.strict, distinct: false };
    resolvedArgs = r.argTypes;
    type = r.resultType;
  } else {
    throw bindError(BinderState.wrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`, call.position);
  }
  return { kind: 'windowFn', type, name, args: coerceArgs(args, resolvedArgs, ctx, call.position), filter, spec, impl };
}

/** generate_series(...) and friends in the select list: one column, run by a ProjectSet node. */
function bindSetReturning(name: string, args: readonly BoundExpr[], ctx: ExprContext, position: number): BoundExpr {
  if (!ctx.setReturning) throw notSupported(`set-returning function ${name}() here (only in FROM or the select list)`, position);
  const resolved = resolveFunction(name, tableFunctionOverloads(name), args.map((a) => typedInput(a, ctx.bind)), position);
  const columns = resolved.overload.columns(resolved.argTypes);
  const column = columns[0];
  if (columns.length !== 1 || column === undefined) throw notSupported(`set-returning function ${name}() returning several columns in the select list`, position);
  return {
    kind: 'srf', type: column.type, name, args: coerceArgs(args, resolved.argTypes, ctx, position),
    fn: resolved.overload.implement(resolved.argTypes), strict: resolved.overload.strict,
  };
}

function keywordCall(name: string, type: SqlType, fn: ScalarFn, volatility: Volatility = 'stable'): BoundExpr {
  return { kind: 'call', type, name, args: [], fn, strict: false, volatility };
}

/** CURRENT_DATE, CURRENT_TIMESTAMP(p), CURRENT_USER and the other keyword functions. */
export function bindSqlValueFunction(name: SqlValueFunctionName, precision: number | null, position: number): BoundExpr {
  const { date, time, timestamp, text } = SqlTypes;
  switch (name) {
    case 'current_date': return keywordCall(name, date, (_a, env: FunctionEnv) => currentDate(env));
    case 'current_timestamp': return keywordCall(name, { kind: 'timestamptz', precision }, (_a, env) => currentTimestamp(env, precision));
    case 'localtimestamp': return keywordCall(name, precision === null ? timestamp : { kind: 'timestamp', precision }, (_a, env) => localTimestamp(env, precision));
    case 'localtime': return keywordCall(name, time, (_a, env) => localTime(env));
    case 'current_time': throw notSupported('CURRENT_TIME (type time with time zone)', position);
    case 'current_role': case 'current_user': case 'user': case 'session_user':
      return keywordCall(name, text, (_a, env) => env.runtime.session.user);
    case 'current_catalog': return keywordCall(name, text, (_a, env) => env.runtime.session.database);
    case 'current_schema': return keywordCall(name, text, (_a, env) => currentSchema(env));
  }
}
