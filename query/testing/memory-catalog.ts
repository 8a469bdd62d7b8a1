// An in-memory CatalogView for tests: a mutable registry that hands out the
// same interface the engine's catalog snapshot has.

import type { CatalogView, TableInfo } from '../contract.js';

export class MemoryCatalog implements CatalogView {
  version = 1;
  private readonly byName = new Map<string, TableInfo>();
  private readonly byId = new Map<number, TableInfo>();
  private readonly schemaNames = new Set<string>(['public', 'pg_catalog']);
  private nextIdValue = 1000;

  nextId(): number {
    return this.nextIdValue++;
  }

  lookupTable(schema: string | null, name: string, searchPath: readonly string[]): TableInfo | undefined {
    if (schema !== null) return this.byName.get(`${schema}.${name}`);
    for (const s of searchPath) {
      const table = this.byName.get(`${s}.${name}`);
      if (table !== undefined) return table;
    }
    return undefined;
  }

  tableById(id: number): TableInfo | undefined {
    return this.byId.get(id);
  }

  tables(): readonly TableInfo[] {
    return [...this.byId.values()];
  }

  schemaExists(name: string): boolean {
    return this.schemaNames.has(name);
  }

  addSchema(name: string): void {
    this.schemaNames.add(name);
  }

  /** Adds or replaces a table (a new catalog version). */
  putTable(table: TableInfo): void {
    const old = this.byId.get(table.id);
    if (old !== undefined) this.byName.delete(`${old.schema}.${old.name}`);
    this.byName.set(`${table.schema}.${table.name}`, table);
    this.byId.set(table.id, table);
    this.version++;
  }

  dropTable(id: number): void {
    const table = this.byId.get(id);
    if (table === undefined) return;
    this.byName.delete(`${table.schema}.${table.name}`);
    this.byId.delete(id);
    this.version++;
  }
}
