// Identity sequence options (START, INCREMENT, MINVALUE, MAXVALUE, CYCLE)
// into a SequenceDef, with PostgreSQL's defaults for the column's type.

import type { Option } from '../../ast/index.js';
import type { SequenceDataType, SequenceDef } from '../../../materializers/index.js';
import { EngineSqlState, sqlError } from '../errors.js';

const typeMax: Readonly<Record<SequenceDataType, bigint>> = { int2: 32767n, int4: 2147483647n, int8: 9223372036854775807n };

function bigintOption(option: Option): bigint {
  if (option.value === null || !/^[-+]?\d+$/.test(option.value.trim())) {
    throw sqlError(EngineSqlState.syntaxError, `invalid value for identity option "${option.name}": "${option.value ?? ''}"`);
  }
  return BigInt(option.value.trim());
}

export interface SequenceIdentity {
  readonly id: number;
  readonly databaseName: string;
  readonly schemaName: string;
  readonly name: string;
  readonly dataType: SequenceDataType;
  readonly ownedBy: SequenceDef['ownedBy'];
}

/** The definition of an identity or serial sequence; `options` as written after GENERATED ... AS IDENTITY. */
export function sequenceDef(identity: SequenceIdentity, options: readonly Option[]): SequenceDef {
  let increment = 1n;
  let min: bigint | null = null;
  let max: bigint | null = null;
  let start: bigint | null = null;
  let cycle = false;
  for (const option of options) {
    switch (option.name) {
      case 'increment': increment = bigintOption(option); break;
      case 'minvalue': min = option.value === null ? null : bigintOption(option); break;
      case 'maxvalue': max = option.value === null ? null : bigintOption(option); break;
      case 'start': start = bigintOption(option); break;
      case 'cycle': cycle = option.value !== 'false'; break;
      case 'cache': case 'sequence_name': case 'as': break;
      default: throw sqlError(EngineSqlState.syntaxError, `option "${option.name}" not recognized`);
    }
  }
  if (increment === 0n) throw sqlError(EngineSqlState.invalidParameterValue, 'INCREMENT must not be zero');
  const ascending = increment > 0n;
  const resolvedMin = min ?? (ascending ? 1n : -typeMax[identity.dataType] - 1n);
  const resolvedMax = max ?? (ascending ? typeMax[identity.dataType] : -1n);
  return { ...identity, increment, min: resolvedMin, max: resolvedMax, start: start ?? (ascending ? resolvedMin : resolvedMax), cycle };
}
