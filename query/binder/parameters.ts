// Parameter types ($1..$n): declared by the client, or inferred from the first
// context that needs a type (`col = $1` gives col's type); whatever is still
// open when binding ends becomes text, as the task's contract asks.

import type { SqlType } from '../types/sql-type.js';
import { SqlTypes, withoutModifiers } from '../types/sql-type.js';
import { bindError, BinderState } from './errors.js';

/** PostgreSQL's limit on $n (the protocol's parameter count is 16 bits). */
export const parameterNumberMax = 65535;

export class ParameterTypes {
  private readonly types: (SqlType | undefined)[];
  private highest = 0;

  constructor(declared: readonly (SqlType | undefined)[]) {
    this.types = [...declared];
    this.highest = declared.length;
  }

  /** Notes that $n appears; 42P02 beyond the protocol's range. */
  use(number: number, position: number): SqlType | undefined {
    if (number < 1 || number > parameterNumberMax) throw bindError(BinderState.undefinedParameter, `there is no parameter $${number}`, position);
    if (number > this.highest) this.highest = number;
    return this.types[number - 1];
  }

  typeOf(number: number): SqlType | undefined {
    return this.types[number - 1];
  }

  /** Fixes the type of an open parameter (inference). */
  infer(number: number, type: SqlType): SqlType {
    const current = this.types[number - 1];
    if (current !== undefined) return current;
    const fixed = withoutModifiers(type);
    this.types[number - 1] = fixed;
    return fixed;
  }

  /** The final list: every $n up to the highest used, open ones as text. */
  finish(): readonly SqlType[] {
    const out: SqlType[] = [];
    for (let i = 0; i < this.highest; i++) out.push(this.types[i] ?? SqlTypes.text);
    return out;
  }
}
