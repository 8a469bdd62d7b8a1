// Expressions of ThunderDB's SQL syntax tree.
//
// The tree is ThunderDB's own: nothing here knows about the external parser.
// Every union is discriminated by `kind` so a `switch` can end in
// `unreachable(x)` and the compiler lists what a new member forgot.

import type { Select } from './select.js';

/**
 * Where a construct starts in the text handed to `parseSql`: a 0-based offset
 * in UTF-16 code units (a JavaScript string index, so `text.slice(position)`
 * starts at the construct), counted from the start of the whole input string,
 * not of the statement, as PostgreSQL does for multi-statement strings.
 * PostgreSQL's ErrorResponse `P` field is 1-based and counts characters:
 * convert with `errorPosition(text, position)` from query/parser.
 * -1 when the grammar synthesised the node and it has no place in the text.
 */
export type SourcePosition = number;

/** A possibly schema-qualified object name: `t`, `s.t`. */
export interface QualifiedName {
  readonly schema: string | null;
  readonly name: string;
  readonly position: SourcePosition;
}

/**
 * The value of a constant as written. Numbers keep their text so the binder
 * chooses int4, int8 or numeric exactly as PostgreSQL does.
 */
export type LiteralValue =
  /** Decimal digits with an optional leading '-'; hex, octal, binary and `_` separators are already folded. */
  | { readonly type: 'integer'; readonly text: string }
  /** A decimal with a point or exponent (`1.5`, `.5`, `1e3`), `_` separators removed. */
  | { readonly type: 'numeric'; readonly text: string }
  /** A string constant after quote and escape processing. */
  | { readonly type: 'string'; readonly value: string }
  /** PostgreSQL's bit-string text: `b` or `x` then the digits (`B'101'` is `b101`). */
  | { readonly type: 'bitString'; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' };

export interface Literal {
  readonly kind: 'literal';
  readonly value: LiteralValue;
  readonly position: SourcePosition;
}

export type IntervalFields =
  | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'
  | 'year to month' | 'day to hour' | 'day to minute' | 'day to second'
  | 'hour to minute' | 'hour to second' | 'minute to second';

/**
 * A type as written. Keyword types arrive under PostgreSQL's internal names:
 * `int` is `pg_catalog.int4`, `char(22)` is `pg_catalog.bpchar` with modifier
 * 22, `double precision` is `pg_catalog.float8`; `serial`, `text` and user
 * types keep the written name with `schema` null.
 */
export interface TypeName {
  readonly schema: string | null;
  readonly name: string;
  /** Type modifiers: `(10, 2)` of numeric(10, 2); for interval, the precision only. */
  readonly modifiers: readonly Expr[];
  /** One entry per `[]` or `[n]`; -1 where no bound was written. Empty for non-arrays. */
  readonly arrayBounds: readonly number[];
  /** `interval day to second` and friends; null when none were written. */
  readonly intervalFields: IntervalFields | null;
  readonly position: SourcePosition;
}

export type SortDirection = 'default' | 'asc' | 'desc';
export type NullsOrder = 'default' | 'first' | 'last';

export interface SortItem {
  readonly expr: Expr;
  readonly direction: SortDirection;
  readonly nulls: NullsOrder;
}

export type FrameBound =
  | { readonly kind: 'unboundedPreceding' }
  | { readonly kind: 'preceding'; readonly offset: Expr }
  | { readonly kind: 'currentRow' }
  | { readonly kind: 'following'; readonly offset: Expr }
  | { readonly kind: 'unboundedFollowing' };

export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  /** `ROWS 1 PRECEDING` without BETWEEN ends at the current row, as in PostgreSQL. */
  readonly end: FrameBound;
  readonly exclude: 'noOthers' | 'currentRow' | 'group' | 'ties';
}

export interface WindowSpec {
  /** `OVER (w ORDER BY x)` builds on window `w`. */
  readonly baseWindow: string | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortItem[];
  /** Null for the default frame (RANGE UNBOUNDED PRECEDING, or the whole partition without ORDER BY). */
  readonly frame: WindowFrame | null;
  readonly position: SourcePosition;
}

/** `OVER w` names a window of the WINDOW clause; `OVER (...)` defines one inline. */
export type OverClause =
  | { readonly kind: 'windowName'; readonly name: string; readonly position: SourcePosition }
  | { readonly kind: 'windowSpec'; readonly spec: WindowSpec };

export interface FunctionCall {
  readonly kind: 'functionCall';
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  /** `count(*)`. */
  readonly star: boolean;
  readonly distinct: boolean;
  /** `string_agg(x, ',' ORDER BY y)`, or the WITHIN GROUP ordering when `withinGroup`. */
  readonly orderBy: readonly SortItem[];
  readonly withinGroup: boolean;
  readonly filter: Expr | null;
  readonly over: OverClause | null;
  /**
   * True when SQL-standard syntax was rewritten into a call as PostgreSQL does:
   * EXTRACT(f FROM x) is pg_catalog.extract('f', x), POSITION(a IN b) is
   * pg_catalog.position(b, a), SUBSTRING(x FROM a FOR b) is
   * pg_catalog.substring(x, a, b), TRIM(BOTH c FROM s) is pg_catalog.btrim(s, c)
   * (ltrim/rtrim for LEADING/TRAILING), OVERLAY is pg_catalog.overlay,
   * `x AT TIME ZONE z` is pg_catalog.timezone(z, x), `x AT LOCAL` is
   * pg_catalog.timezone(x).
   */
  readonly sqlSyntax: boolean;
  readonly position: SourcePosition;
}

export type SqlValueFunctionName =
  | 'current_date' | 'current_time' | 'current_timestamp' | 'localtime' | 'localtimestamp'
  | 'current_role' | 'current_user' | 'user' | 'session_user' | 'current_catalog' | 'current_schema';

export type Subscript =
  | { readonly kind: 'index'; readonly index: Expr }
  | { readonly kind: 'slice'; readonly lower: Expr | null; readonly upper: Expr | null };

export type Expr =
  | Literal
  /** `date '2024-01-01'`, `interval '1' day`: a string constant read as a type. */
  | { readonly kind: 'typedLiteral'; readonly typeName: TypeName; readonly literal: Literal; readonly position: SourcePosition }
  | { readonly kind: 'param'; readonly number: number; readonly position: SourcePosition }
  /** `a`, `t.a`, `s.t.a`: the binder decides what the qualifiers name. */
  | { readonly kind: 'columnRef'; readonly path: readonly string[]; readonly position: SourcePosition }
  /** `*` or `t.*`: in target lists and as a function argument (`row_to_json(t.*)`). */
  | { readonly kind: 'star'; readonly qualifier: readonly string[]; readonly position: SourcePosition }
  | { readonly kind: 'subscript'; readonly arg: Expr; readonly subscript: Subscript }
  /** `(r).f`. */
  | { readonly kind: 'fieldSelect'; readonly arg: Expr; readonly field: string }
  /** Prefix operators (`-x`, `+x`, `~x`, `|/x`), kept by symbol. */
  | { readonly kind: 'unaryOp'; readonly op: string; readonly operand: Expr; readonly position: SourcePosition }
  /** Infix operators by symbol: arithmetic, comparison, `||`, `->`, `->>`, `@>`, `~~`... */
  | { readonly kind: 'binaryOp'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly position: SourcePosition }
  /** N-ary, as PostgreSQL flattens `a AND b AND c`. */
  | { readonly kind: 'and'; readonly args: readonly Expr[]; readonly position: SourcePosition }
  | { readonly kind: 'or'; readonly args: readonly Expr[]; readonly position: SourcePosition }
  | { readonly kind: 'not'; readonly arg: Expr; readonly position: SourcePosition }
  | { readonly kind: 'nullTest'; readonly arg: Expr; readonly negated: boolean; readonly position: SourcePosition }
  | { readonly kind: 'booleanTest'; readonly arg: Expr; readonly test: 'true' | 'false' | 'unknown'; readonly negated: boolean; readonly position: SourcePosition }
  | { readonly kind: 'distinctFrom'; readonly left: Expr; readonly right: Expr; readonly negated: boolean; readonly position: SourcePosition }
  | { readonly kind: 'between'; readonly arg: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean; readonly symmetric: boolean; readonly position: SourcePosition }
  | { readonly kind: 'inList'; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly position: SourcePosition }
  /** `x IN (SELECT ...)`; `x NOT IN (SELECT ...)` is `not` around it, as in PostgreSQL. */
  | { readonly kind: 'inSubquery'; readonly arg: Expr; readonly query: Select; readonly position: SourcePosition }
  /** `x = ANY (SELECT ...)`, `x < ALL (SELECT ...)`; SOME is ANY. */
  | { readonly kind: 'quantifiedSubquery'; readonly op: string; readonly quantifier: 'any' | 'all'; readonly left: Expr; readonly query: Select; readonly position: SourcePosition }
  /** `x = ANY (array)`, `x <> ALL ('{1,2}'::int[])`. */
  | { readonly kind: 'quantifiedArray'; readonly op: string; readonly quantifier: 'any' | 'all'; readonly left: Expr; readonly array: Expr; readonly position: SourcePosition }
  | { readonly kind: 'exists'; readonly query: Select; readonly position: SourcePosition }
  /** A scalar subquery `(SELECT ...)`. */
  | { readonly kind: 'subquery'; readonly query: Select; readonly position: SourcePosition }
  /** `ARRAY(SELECT ...)`. */
  | { readonly kind: 'arraySubquery'; readonly query: Select; readonly position: SourcePosition }
  | { readonly kind: 'like'; readonly caseInsensitive: boolean; readonly arg: Expr; readonly pattern: Expr; readonly escape: Expr | null; readonly negated: boolean; readonly position: SourcePosition }
  | { readonly kind: 'similarTo'; readonly arg: Expr; readonly pattern: Expr; readonly escape: Expr | null; readonly negated: boolean; readonly position: SourcePosition }
  /** `operand` is set for the simple form `CASE x WHEN 1 THEN ...`. */
  | { readonly kind: 'case'; readonly operand: Expr | null; readonly whens: readonly { readonly condition: Expr; readonly result: Expr }[]; readonly elseResult: Expr | null; readonly position: SourcePosition }
  | { readonly kind: 'cast'; readonly arg: Expr; readonly typeName: TypeName; readonly syntax: 'cast' | '::'; readonly position: SourcePosition }
  | { readonly kind: 'coalesce'; readonly args: readonly Expr[]; readonly position: SourcePosition }
  | { readonly kind: 'nullIf'; readonly left: Expr; readonly right: Expr; readonly position: SourcePosition }
  | { readonly kind: 'greatest' | 'least'; readonly args: readonly Expr[]; readonly position: SourcePosition }
  | FunctionCall
  /** `ARRAY[1, 2]`; the inner lists of `ARRAY[[1, 2], [3, 4]]` are arrays too. */
  | { readonly kind: 'array'; readonly elements: readonly Expr[]; readonly position: SourcePosition }
  /** `ROW(a, b)` (explicit) or `(a, b)`. */
  | { readonly kind: 'row'; readonly args: readonly Expr[]; readonly explicit: boolean; readonly position: SourcePosition }
  /** CURRENT_TIMESTAMP and the other keyword-only functions; `precision` as in CURRENT_TIMESTAMP(3). */
  | { readonly kind: 'sqlValueFunction'; readonly name: SqlValueFunctionName; readonly precision: number | null; readonly position: SourcePosition }
  /** `x COLLATE "C"`: kept so the binder decides; it may ignore it. */
  | { readonly kind: 'collate'; readonly arg: Expr; readonly collation: readonly string[]; readonly position: SourcePosition }
  /** DEFAULT in INSERT ... VALUES and UPDATE ... SET; the binder rejects it elsewhere. */
  | { readonly kind: 'default'; readonly position: SourcePosition };

export type ExprKind = Expr['kind'];
