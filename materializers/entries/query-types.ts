// The one seam to query/types: the value representation, type descriptors
// and the SqlError base the materializers speak. Everything in materializers/
// imports them from here (through entries/index.ts), so a move inside
// query/types (whose index.ts is still being written) changes one file.

export type { IntervalFields, SqlType, ScalarSqlType } from '../../query/types/sql-type.js';
export { sameType } from '../../query/types/sql-type.js';
export type { SqlValue, ScalarValue } from '../../query/types/value.js';
export type { Interval } from '../../query/types/interval.js';
export { Decimal, numericDisplayScaleMax } from '../../query/types/numeric/decimal.js';
export { Jsonb, JsonbObject, type JsonbValue } from '../../query/types/json.js';
export { SqlError } from '../../query/types/errors.js';

import type { SqlValue } from '../../query/types/value.js';

/** A row: one value per column, in the column order of its layout. */
export type Row = readonly SqlValue[];
