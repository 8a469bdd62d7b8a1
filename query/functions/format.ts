// format(): PostgreSQL's printf-like text builder with %s, %I, %L and %%,
// positional arguments (%2$s) and widths (%-10s, %*s).

import { InvalidParameterValueError, SqlError } from '../types/errors.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { scalarTyped } from './define.js';
import type { FunctionEnv } from './env.js';
import { anyArg } from './signature.js';
import type { ScalarOverload } from './signature.js';
import { valueToText } from './text-util.js';

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

const specifier = /%(?:(\d+)\$)?(-)?(\*(?:\d+\$)?|\d+)?([sIL%])/g;

function pad(text: string, width: number | null, left: boolean): string {
  if (width === null || text.length >= Math.abs(width)) return text;
  const w = Math.abs(width);
  return left || width < 0 ? text.padEnd(w) : text.padStart(w);
}

export function formatText(template: string, args: readonly SqlValue[], types: readonly SqlType[], env: FunctionEnv): string {
  let next = 0;
  const argAt = (index: number): SqlValue => {
    if (index >= args.length) throw new SqlError('22023', 'too few arguments for format()');
    return args[index] ?? null;
  };
  const out = template.replace(specifier, (_m, position: string | undefined, minus: string | undefined, widthSpec: string | undefined, kind: string) => {
    if (kind === '%') return '%';
    let width: number | null = null;
    if (widthSpec !== undefined) {
      if (widthSpec.startsWith('*')) {
        const explicit = /^\*(\d+)\$$/.exec(widthSpec);
        const w = argAt(explicit === null ? next++ : Number(explicit[1]) - 1);
        width = w === null ? null : Number(w);
      } else {
        width = Number(widthSpec);
      }
    }
    const index = position === undefined ? next++ : Number(position) - 1;
    if (position !== undefined) next = index + 1;
    const value = argAt(index);
    const text = value === null ? null : valueToText(value, types[index] ?? SqlTypes.text, env.typeSession);
    if (kind === 'I' && text === null) throw new InvalidParameterValueError('null values cannot be formatted as an SQL identifier');
    const rendered = kind === 's' ? (text ?? '') : kind === 'I' ? quoteIdent(text ?? '') : text === null ? 'NULL' : quoteLiteral(text);
    return pad(rendered, width, minus !== undefined);
  });
  if (/%(?![sIL%]|\d+\$|-|\*|\d)/.test(template.replace(specifier, ''))) throw new SqlError('22023', 'unrecognized format() type specifier');
  return out;
}

export const formatFunctions: readonly ScalarOverload[] = [
  scalarTyped('format', [SqlTypes.text], SqlTypes.text, (argTypes) => (args, env) => {
    const template = args[0] ?? null;
    if (template === null) return null;
    return formatText(template as string, args.slice(1), argTypes.slice(1), env);
  }, { strict: false, variadic: anyArg, volatility: 'stable' }),
];
