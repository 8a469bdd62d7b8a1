// What a DML statement produced: its command tag and RETURNING rows.

import type { Row } from '../env.js';

export interface DmlResult {
  readonly tag: string;
  readonly rows: readonly Row[];
}
