// AST expressions back to SQL text, for the test catalog's stored DEFAULT and
// CHECK expressions (the contract stores them as text). Covers what test
// schemas write; anything else is refused loudly.

import type { Expr, TypeName } from '../ast/index.js';

function typeText(t: TypeName): string {
  const mods = t.modifiers.length > 0 ? `(${t.modifiers.map(exprText).join(', ')})` : '';
  const fields = t.intervalFields === null ? '' : ` ${t.intervalFields}`;
  return `${t.schema === null ? '' : `${t.schema}.`}${t.name}${fields}${mods}${t.arrayBounds.map(() => '[]').join('')}`;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      switch (v.type) {
        case 'integer': case 'numeric': return v.text;
        case 'string': return quote(v.value);
        case 'boolean': return v.value ? 'true' : 'false';
        case 'null': return 'NULL';
        case 'bitString': return `B'${v.text.slice(1)}'`;
      }
      break;
    }
    case 'typedLiteral': return `${typeText(e.typeName)} ${quote(e.literal.value.type === 'string' ? e.literal.value.value : '')}`;
    case 'columnRef': return e.path.map((p) => `"${p}"`).join('.');
    case 'param': return `$${e.number}`;
    case 'unaryOp': return `(${e.op} ${exprText(e.operand)})`;
    case 'binaryOp': return `(${exprText(e.left)} ${e.op} ${exprText(e.right)})`;
    case 'and': case 'or': return `(${e.args.map(exprText).join(` ${e.kind.toUpperCase()} `)})`;
    case 'not': return `(NOT ${exprText(e.arg)})`;
    case 'nullTest': return `(${exprText(e.arg)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'between': return `(${exprText(e.arg)} ${e.negated ? 'NOT ' : ''}BETWEEN ${exprText(e.low)} AND ${exprText(e.high)})`;
    case 'inList': return `(${exprText(e.arg)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(exprText).join(', ')}))`;
    case 'cast': return `CAST(${exprText(e.arg)} AS ${typeText(e.typeName)})`;
    case 'functionCall': return `${e.name.schema === null ? '' : `${e.name.schema}.`}${e.name.name}(${e.star ? '*' : e.args.map(exprText).join(', ')})`;
    case 'sqlValueFunction': return e.name.toUpperCase();
    case 'like': return `(${exprText(e.arg)} ${e.negated ? 'NOT ' : ''}${e.caseInsensitive ? 'ILIKE' : 'LIKE'} ${exprText(e.pattern)})`;
    case 'case': return `CASE${e.operand === null ? '' : ` ${exprText(e.operand)}`} ${e.whens.map((w) => `WHEN ${exprText(w.condition)} THEN ${exprText(w.result)}`).join(' ')}${e.elseResult === null ? '' : ` ELSE ${exprText(e.elseResult)}`} END`;
    case 'coalesce': return `COALESCE(${e.args.map(exprText).join(', ')})`;
    case 'array': return `ARRAY[${e.elements.map(exprText).join(', ')}]`;
    default: break;
  }
  throw new Error(`test catalog cannot store expression kind ${e.kind}`);
}
