// A transaction's buffered writes: the effects in execution order (what the
// txn entry will carry) and, per table and key, the versions the transaction
// wrote, each tagged with the statement (command) that wrote it.
//
// A statement reads the versions of earlier commands only, as PostgreSQL's
// command ids do: `UPDATE t SET id = id + 1` must not meet its own new rows
// (the Halloween problem). Uniqueness checks and the commit use the latest
// version. Savepoints are marks in the effect list; rolling back pops the
// versions the undone effects pushed, newest first.

import type { Row } from '../../materializers/index.js';
import { compareKeyStrings, keyString } from './keys.js';
import { invariant } from './errors.js';

export type WriteOp = 'insert' | 'update' | 'delete';

export interface WriteEffect {
  readonly tableId: number;
  readonly op: WriteOp;
  readonly key: Uint8Array;
  readonly keyText: string;
  /** The full old row (update, delete). */
  readonly before?: Row;
  /** The full new row (insert, update). */
  readonly after?: Row;
  readonly command: number;
}

export interface KeyVersion {
  readonly command: number;
  /** null: deleted. */
  readonly row: Row | null;
}

export interface WriteSetRow {
  readonly key: Uint8Array;
  readonly keyText: string;
  readonly row: Row | null;
}

interface KeyState {
  readonly key: Uint8Array;
  readonly keyText: string;
  readonly versions: KeyVersion[];
}

interface TableWrites {
  readonly keys: Map<string, KeyState>;
  /** Keys in byte order; rebuilt after a key is added or removed. */
  sorted: KeyState[] | null;
}

export class WriteSet {
  private readonly effectList: WriteEffect[] = [];
  private readonly tables = new Map<number, TableWrites>();

  get effectCount(): number {
    return this.effectList.length;
  }

  effects(): readonly WriteEffect[] {
    return this.effectList;
  }

  isEmpty(): boolean {
    return this.effectList.length === 0;
  }

  tableIds(): readonly number[] {
    return [...this.tables.keys()];
  }

  touchesTable(tableId: number): boolean {
    return this.tables.has(tableId);
  }

  record(effect: Omit<WriteEffect, 'keyText'> & { readonly keyText?: string }): void {
    const keyText = effect.keyText ?? keyString(effect.key);
    invariant((effect.op === 'delete') === (effect.after === undefined), `${effect.op} effect: after is required exactly unless deleting`);
    invariant((effect.op === 'insert') === (effect.before === undefined), `${effect.op} effect: before is required exactly unless inserting`);
    this.effectList.push({ ...effect, keyText });
    let table = this.tables.get(effect.tableId);
    if (table === undefined) {
      table = { keys: new Map(), sorted: null };
      this.tables.set(effect.tableId, table);
    }
    let state = table.keys.get(keyText);
    if (state === undefined) {
      state = { key: effect.key, keyText, versions: [] };
      table.keys.set(keyText, state);
      table.sorted = null;
    }
    state.versions.push({ command: effect.command, row: effect.after ?? null });
  }

  /** The version statement `command` sees: the newest written by an earlier command. */
  visible(tableId: number, keyText: string, command: number): KeyVersion | undefined {
    const versions = this.tables.get(tableId)?.keys.get(keyText)?.versions;
    if (versions === undefined) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i] as KeyVersion;
      if (v.command < command) return v;
    }
    return undefined;
  }

  /** The newest version, the current statement's included. */
  latest(tableId: number, keyText: string): KeyVersion | undefined {
    return this.tables.get(tableId)?.keys.get(keyText)?.versions.at(-1);
  }

  /** Keys statement `command` sees written, in key order, with their rows (null: deleted). */
  visibleRows(tableId: number, command: number): readonly WriteSetRow[] {
    const out: WriteSetRow[] = [];
    for (const state of this.sortedKeys(tableId)) {
      const v = this.visible(tableId, state.keyText, command);
      if (v !== undefined) out.push({ key: state.key, keyText: state.keyText, row: v.row });
    }
    return out;
  }

  /** Every key written, with its newest row (null: deleted). */
  latestRows(tableId: number): readonly WriteSetRow[] {
    const table = this.tables.get(tableId);
    if (table === undefined) return [];
    const out: WriteSetRow[] = [];
    for (const state of table.keys.values()) {
      const v = state.versions.at(-1);
      if (v !== undefined) out.push({ key: state.key, keyText: state.keyText, row: v.row });
    }
    return out;
  }

  /** A savepoint: the effect count now. */
  mark(): number {
    return this.effectList.length;
  }

  /** Undoes every effect recorded after `mark`. */
  rollbackTo(mark: number): void {
    invariant(mark >= 0 && mark <= this.effectList.length, `write-set mark ${mark} beyond ${this.effectList.length} effects`);
    while (this.effectList.length > mark) {
      const effect = this.effectList.pop() as WriteEffect;
      const table = this.tables.get(effect.tableId);
      const state = table?.keys.get(effect.keyText);
      invariant(table !== undefined && state !== undefined, 'an effect being undone has its key state');
      state.versions.pop();
      if (state.versions.length > 0) continue;
      table.keys.delete(effect.keyText);
      table.sorted = null;
      if (table.keys.size === 0) this.tables.delete(effect.tableId);
    }
  }

  clear(): void {
    this.rollbackTo(0);
  }

  private sortedKeys(tableId: number): readonly KeyState[] {
    const table = this.tables.get(tableId);
    if (table === undefined) return [];
    table.sorted ??= [...table.keys.values()].sort((a, b) => compareKeyStrings(a.keyText, b.keyText));
    return table.sorted;
  }
}
