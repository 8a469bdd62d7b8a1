// Small result and notice builders shared by the utility handlers.

import type { EngineNotice, ResultColumn, StatementResult } from '../../engine.js';
import { SqlTypes } from '../../types/index.js';

export function command(tag: string): StatementResult {
  return { kind: 'command', tag };
}

export function textColumn(name: string): ResultColumn {
  return { name, type: SqlTypes.text, tableId: 0, columnNumber: 0 };
}

export function notice(sqlState: string, message: string): EngineNotice {
  return { severity: 'NOTICE', sqlState, message };
}

export function warning(sqlState: string, message: string): EngineNotice {
  return { severity: 'WARNING', sqlState, message };
}
