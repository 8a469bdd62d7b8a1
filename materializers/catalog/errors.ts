// Catalog errors carry PostgreSQL's SQLSTATE: the executor validates a DDL
// statement by folding its entry into its own (overlay) catalog before
// proposing, so these reach the client as ordinary SQL errors. Replay never
// sees them: only entries that folded cleanly on the leader are proposed.

import { SqlError } from '../entries/index.js';

export const CatalogSqlState = {
  duplicateDatabase: '42P04',
  undefinedDatabase: '3D000',
  duplicateSchema: '42P06',
  undefinedSchema: '3F000',
  reservedName: '42939',
  duplicateTable: '42P07',
  undefinedTable: '42P01',
  undefinedObject: '42704',
  duplicateObject: '42710',
  duplicateColumn: '42701',
  undefinedColumn: '42703',
  invalidTableDefinition: '42P16',
  invalidObjectDefinition: '42P17',
  invalidParameterValue: '22023',
  datatypeMismatch: '42804',
  dependentObjectsStillExist: '2BP01',
  featureNotSupported: '0A000',
  insufficientPrivilege: '42501',
  /** An id the leader should never have assigned: a bug, reported as an internal error. */
  internalError: 'XX000',
} as const;
export type CatalogSqlState = (typeof CatalogSqlState)[keyof typeof CatalogSqlState];

export class CatalogError extends SqlError {
  constructor(sqlState: CatalogSqlState, message: string, detail?: string) {
    super(sqlState, message, detail === undefined ? {} : { detail });
  }
}
