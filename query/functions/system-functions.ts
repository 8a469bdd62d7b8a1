// Session and system information functions. They read the runtime's session
// (never global state), so a prepared statement answers for the session that
// executes it.

import { randomUUID } from 'node:crypto';
import { SqlError } from '../types/errors.js';
import { formatTypeName, SqlTypes } from '../types/sql-type.js';
import { scalar, scalarTyped, textArg } from './define.js';
import type { FunctionEnv } from './env.js';
import { anyArg } from './signature.js';
import type { ScalarOverload } from './signature.js';

const { text, bool, uuid } = SqlTypes;

export const serverVersionText = 'PostgreSQL 15.6 (ThunderDB 0.1.0) on x86_64-pc-linux-gnu, compiled by node';

/** current_schema(): the first schema of search_path that exists ("$user" is the user's own). */
export function currentSchema(env: FunctionEnv): string | null {
  const { session, catalog } = env.runtime;
  for (const entry of session.searchPath) {
    const name = entry === '$user' ? session.user : entry;
    if (catalog.schemaExists(name)) return name;
  }
  return null;
}

function currentSetting(env: FunctionEnv, name: string, missingOk: boolean): string | null {
  const value = env.runtime.session.setting(name.toLowerCase());
  if (value !== undefined) return value;
  if (missingOk) return null;
  throw new SqlError('42704', `unrecognized configuration parameter "${name}"`);
}

export const systemFunctions: readonly ScalarOverload[] = [
  scalar('version', [], text, () => serverVersionText, { volatility: 'stable' }),
  scalar('current_database', [], text, (_a, env) => env.runtime.session.database, { volatility: 'stable' }),
  scalar('current_schema', [], text, (_a, env) => currentSchema(env), { volatility: 'stable' }),
  scalar('current_user', [], text, (_a, env) => env.runtime.session.user, { volatility: 'stable' }),
  scalar('session_user', [], text, (_a, env) => env.runtime.session.user, { volatility: 'stable' }),
  scalar('current_setting', [text], text, (a, env) => currentSetting(env, textArg(a, 0), false), { volatility: 'stable' }),
  scalar('current_setting', [text, bool], text, (a, env) => currentSetting(env, textArg(a, 0), a[1] === true), { volatility: 'stable' }),
  scalar('gen_random_uuid', [], uuid, () => randomUUID(), { volatility: 'volatile' }),
  // pg_typeof returns regtype in PostgreSQL; its text form is the same.
  scalarTyped('pg_typeof', [anyArg], text, ([type]) => () => formatTypeName(type ?? text), { strict: false, volatility: 'stable' }),
];
