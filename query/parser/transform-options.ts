// `name = value` option lists (PostgreSQL's DefElem), shared by DDL and
// utility statements.

import type { DefElem, Node } from 'libpg-query';
import type { Option } from '../ast/index.js';
import { notSupported, syntaxError } from './errors.js';
import { checkFields, errorPos, pgExpect, pgList, pgTag, pos } from './pg-nodes.js';
import type { TransformContext } from './pg-nodes.js';

export function transformOptions(nodes: readonly Node[] | undefined, ctx: TransformContext, what: string): Option[] {
  return pgList(nodes).map((n) => transformOption(pgExpect(n, 'DefElem', what), ctx, what));
}

export function transformOption(d: DefElem, ctx: TransformContext, what: string): Option {
  checkFields(d, ['defnamespace', 'defname', 'arg', 'defaction', 'location'], what, ctx, d.location);
  if ((d.defaction ?? 'DEFELEM_UNSPEC') !== 'DEFELEM_UNSPEC') {
    throw notSupported(`${what} with ADD/SET/DROP options`, errorPos(ctx, d.location));
  }
  const name = d.defnamespace === undefined ? (d.defname ?? '') : `${d.defnamespace}.${d.defname ?? ''}`;
  return { name, value: optionValue(d, ctx, what), position: pos(ctx, d.location) };
}

/** The option's value as text, as PostgreSQL's defGetString reads it. */
function optionValue(d: DefElem, ctx: TransformContext, what: string): string | null {
  const arg = d.arg;
  if (arg === undefined) return null;
  const tag = pgTag(arg);
  switch (tag) {
    case 'String': return pgExpect(arg, tag, what).sval ?? '';
    case 'Integer': return String(pgExpect(arg, tag, what).ival ?? 0);
    case 'Float': return pgExpect(arg, tag, what).fval ?? '0';
    case 'Boolean': return pgExpect(arg, tag, what).boolval === true ? 'true' : 'false';
    case 'A_Const': {
      const c = pgExpect(arg, tag, what);
      if (c.sval !== undefined) return c.sval.sval ?? '';
      if (c.ival !== undefined) return String(c.ival.ival ?? 0);
      if (c.fval !== undefined) return c.fval.fval ?? '0';
      if (c.boolval !== undefined) return c.boolval.boolval === true ? 'true' : 'false';
      break;
    }
    default: break;
  }
  throw notSupported(`${what} option "${d.defname ?? ''}" with a ${String(tag)} value`, errorPos(ctx, d.location));
}

/** A Boolean option as PostgreSQL's defGetBoolean reads it: no value, true/false, on/off, 1/0. */
export function optionBoolean(option: Option, ctx: TransformContext): boolean {
  const value = option.value;
  if (value === null) return true;
  const v = value.toLowerCase();
  if (v === 'true' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'off' || v === '0') return false;
  throw syntaxError(`${option.name} requires a Boolean value`, ctx.source.errorPosition(option.position));
}
