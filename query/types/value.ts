// The in-memory representation of SQL values (see DESIGN.md). Values carry no
// type tag: the SqlType from the plan says how to interpret them. SQL NULL is
// JavaScript null in every type (jsonb's own null is wrapped inside Jsonb).

import type { Interval } from './interval.js';
import type { Jsonb } from './json.js';
import type { Decimal } from './numeric/decimal.js';

/**
 * bool → boolean; int2/int4/float4/float8/date/time → number; int8, timestamp,
 * timestamptz → bigint; numeric → Decimal; text/varchar/char/uuid/json →
 * string; bytea → Uint8Array; interval → Interval; jsonb → Jsonb.
 */
export type ScalarValue = boolean | number | bigint | string | Decimal | Uint8Array | Interval | Jsonb;

/** Arrays nest one JavaScript array per dimension; elements may be null. */
export type SqlArray = readonly SqlValue[];

export type SqlValue = null | ScalarValue | SqlArray;
