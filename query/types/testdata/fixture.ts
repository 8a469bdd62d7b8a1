// Shared helpers for the PostgreSQL-generated fixture tables in testdata/.
// Every expected value was produced by PostgreSQL 15.18 (see DESIGN.md, "Tests").

import { readFileSync } from 'node:fs';
import { SqlError } from '../errors.js';

/** 'OK:<text output>' or 'ERR:<sqlstate>:<message>', as PostgreSQL reported it. */
export type Expected = string;

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')) as T;
}

/** Runs `compute` and renders its result or SqlError in the fixture's notation. */
export function outcome(compute: () => string): Expected {
  try {
    return `OK:${compute()}`;
  } catch (error) {
    if (error instanceof SqlError) return `ERR:${error.sqlState}:${error.message}`;
    throw error;
  }
}
