// Transactions, SET/SHOW/RESET, EXPLAIN, COPY, VACUUM/ANALYZE, PREPARE and
// friends.

import type {
  CopyStmt, DefElem, ExecuteStmt, ExplainStmt, Node, TransactionStmt, VacuumStmt, VariableSetStmt,
} from 'libpg-query';
import type {
  Copy, CopyColumns, CopyOptions, Execute, Explain, IsolationLevel, Literal, Option, PreparableStatement,
  Statement, TransactionOptions, Vacuum,
} from '../ast/index.js';
import { InvalidParameterValueError } from '../types/errors.js';
import { notSupported, syntaxError } from './errors.js';
import { checkFields, errorPos, pgAs, pgExpect, pgList, pgStrings, pgTag } from './pg-nodes.js';
import type { TransformContext } from './pg-nodes.js';
import { transformDeleteStmt, transformInsertStmt, transformUpdateStmt } from './transform-dml.js';
import { required, transformConst, transformExprs, transformOptionalExpr } from './transform-expr.js';
import { optionBoolean, transformOption, transformOptions } from './transform-options.js';
import { transformRangeVarName, transformSelectStmt } from './transform-select.js';

export function transformTransactionStmt(s: TransactionStmt, ctx: TransformContext): Statement {
  checkFields(s, ['kind', 'options', 'savepoint_name', 'gid', 'chain', 'location'], 'transaction statement', ctx, s.location);
  const kind = s.kind ?? 'TRANS_STMT_BEGIN';
  const name = s.savepoint_name ?? '';
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return { kind: 'begin', options: transactionOptions(s.options, ctx) };
    case 'TRANS_STMT_COMMIT': return { kind: 'commit', chain: s.chain === true };
    case 'TRANS_STMT_ROLLBACK': return { kind: 'rollback', chain: s.chain === true };
    case 'TRANS_STMT_SAVEPOINT': return { kind: 'savepoint', name };
    case 'TRANS_STMT_RELEASE': return { kind: 'releaseSavepoint', name };
    case 'TRANS_STMT_ROLLBACK_TO': return { kind: 'rollbackToSavepoint', name };
    case 'TRANS_STMT_PREPARE': throw notSupported('PREPARE TRANSACTION', errorPos(ctx, -1));
    case 'TRANS_STMT_COMMIT_PREPARED': throw notSupported('COMMIT PREPARED', errorPos(ctx, -1));
    case 'TRANS_STMT_ROLLBACK_PREPARED': throw notSupported('ROLLBACK PREPARED', errorPos(ctx, -1));
  }
}

const isolationLevels: readonly IsolationLevel[] = ['read uncommitted', 'read committed', 'repeatable read', 'serializable'];

/** The grammar writes transaction modes as transaction_isolation / _read_only / _deferrable options; a later mode wins. */
function transactionOptions(nodes: readonly Node[] | undefined, ctx: TransformContext): TransactionOptions {
  let isolationLevel: IsolationLevel | null = null;
  let readOnly: boolean | null = null;
  let deferrable: boolean | null = null;
  for (const option of transformOptions(nodes, ctx, 'transaction mode')) {
    if (option.name === 'transaction_isolation') {
      isolationLevel = isolationLevels.find((level) => level === option.value) ?? null;
      if (isolationLevel === null) throw new Error(`libpg-query: isolation level ${String(option.value)}`);
    } else if (option.name === 'transaction_read_only') readOnly = optionBoolean(option, ctx);
    else if (option.name === 'transaction_deferrable') deferrable = optionBoolean(option, ctx);
    else throw new Error(`libpg-query: transaction mode ${option.name}`);
  }
  return { isolationLevel, readOnly, deferrable };
}

export function transformVariableSetStmt(s: VariableSetStmt, ctx: TransformContext): Statement {
  checkFields(s, ['kind', 'name', 'args', 'jumble_args', 'is_local', 'location'], 'SET', ctx, s.location);
  const kind = s.kind ?? 'VAR_SET_VALUE';
  const name = s.name ?? '';
  switch (kind) {
    case 'VAR_SET_VALUE': {
      const values = pgList(s.args).map((a): Literal => {
        const c = pgAs(a, 'A_Const');
        if (c === undefined) throw notSupported('SET with a non-constant value (SET TIME ZONE INTERVAL)', errorPos(ctx, s.location));
        return transformConst(c, ctx);
      });
      return { kind: 'set', name, value: { kind: 'values', values }, local: s.is_local === true };
    }
    case 'VAR_SET_DEFAULT': return { kind: 'set', name, value: { kind: 'default' }, local: s.is_local === true };
    case 'VAR_SET_CURRENT': throw notSupported('SET ... FROM CURRENT', errorPos(ctx, s.location));
    case 'VAR_SET_MULTI':
      if (name === 'TRANSACTION' || name === 'SESSION CHARACTERISTICS') {
        return { kind: 'setTransaction', scope: name === 'TRANSACTION' ? 'transaction' : 'session', options: transactionOptions(s.args, ctx) };
      }
      throw notSupported(`SET ${name}`, errorPos(ctx, s.location));
    case 'VAR_RESET': return { kind: 'reset', name };
    case 'VAR_RESET_ALL': return { kind: 'reset', name: null };
  }
}

const explainOptionNames = new Set(['analyze', 'verbose', 'costs', 'settings', 'generic_plan', 'buffers', 'serialize', 'wal', 'timing', 'summary', 'memory', 'format']);
const explainFormats = ['text', 'json', 'xml', 'yaml'] as const;

export function transformExplainStmt(s: ExplainStmt, ctx: TransformContext): Explain {
  checkFields(s, ['query', 'options'], 'EXPLAIN', ctx, -1);
  let analyze = false;
  let verbose = false;
  let format: Explain['format'] = 'text';
  const options: Option[] = [];
  for (const option of transformOptions(s.options, ctx, 'EXPLAIN')) {
    if (!explainOptionNames.has(option.name)) {
      throw syntaxError(`unrecognized EXPLAIN option "${option.name}"`, ctx.source.errorPosition(option.position));
    }
    if (option.name === 'analyze') analyze = optionBoolean(option, ctx);
    else if (option.name === 'verbose') verbose = optionBoolean(option, ctx);
    else if (option.name === 'format') {
      const found = explainFormats.find((f) => f === option.value);
      if (found === undefined) {
        throw new InvalidParameterValueError(`unrecognized value for EXPLAIN option "format": "${option.value ?? ''}"`, { position: ctx.source.errorPosition(option.position) });
      }
      format = found;
    } else options.push(option);
  }
  const query = s.query;
  const execute = pgAs(query, 'ExecuteStmt');
  const statement = execute !== undefined ? transformExecute(execute, ctx) : preparable(query, ctx, 'EXPLAIN');
  return { kind: 'explain', statement, analyze, verbose, format, options };
}

/** The statement inside PREPARE, EXPLAIN or COPY (...). */
export function preparable(node: Node | undefined, ctx: TransformContext, what: string): PreparableStatement {
  const select = pgAs(node, 'SelectStmt');
  if (select !== undefined) return transformSelectStmt(select, ctx);
  const insert = pgAs(node, 'InsertStmt');
  if (insert !== undefined) return transformInsertStmt(insert, ctx);
  const update = pgAs(node, 'UpdateStmt');
  if (update !== undefined) return transformUpdateStmt(update, ctx);
  const del = pgAs(node, 'DeleteStmt');
  if (del !== undefined) return transformDeleteStmt(del, ctx);
  throw notSupported(`${what} of ${node === undefined ? 'nothing' : String(pgTag(node))}`, errorPos(ctx, -1));
}

export function transformExecute(e: ExecuteStmt, ctx: TransformContext): Execute {
  checkFields(e, ['name', 'params'], 'EXECUTE', ctx, -1);
  return { kind: 'execute', name: e.name ?? '', params: transformExprs(e.params, ctx) };
}

export function transformCopyStmt(s: CopyStmt, ctx: TransformContext): Copy {
  checkFields(s, ['relation', 'query', 'attlist', 'is_from', 'is_program', 'filename', 'options', 'whereClause'], 'COPY', ctx, -1);
  if (s.filename !== undefined || s.is_program === true) {
    throw notSupported('COPY to or from a file or program (use STDIN or STDOUT)', errorPos(ctx, s.relation?.location ?? -1));
  }
  const source: Copy['source'] = s.relation !== undefined
    ? { kind: 'table', table: transformRangeVarName(s.relation, ctx), columns: pgStrings(s.attlist, 'COPY column list') }
    : { kind: 'query', query: preparable(s.query, ctx, 'COPY') };
  return {
    kind: 'copy',
    source,
    direction: s.is_from === true ? 'from' : 'to',
    options: copyOptions(s.options, ctx),
    where: transformOptionalExpr(s.whereClause, ctx),
  };
}

type MutableCopyOptions = { -readonly [K in keyof CopyOptions]: CopyOptions[K] };

/** COPY options as PostgreSQL's ProcessCopyOptions reads them; combinations are the executor's to check. */
function copyOptions(nodes: readonly Node[] | undefined, ctx: TransformContext): CopyOptions {
  const options: MutableCopyOptions = {
    format: 'text', header: false, delimiter: null, null: null, default: null, quote: null, escape: null,
    forceQuote: null, forceNotNull: null, forceNull: null, freeze: false, encoding: null,
  };
  const seen = new Set<string>();
  for (const n of pgList(nodes)) {
    const d = pgExpect(n, 'DefElem', 'COPY option');
    const name = d.defname ?? '';
    const at = errorPos(ctx, d.location);
    if (seen.has(name)) throw syntaxError('conflicting or redundant options', at);
    seen.add(name);
    applyCopyOption(options, name, d, ctx);
  }
  return options;
}

function applyCopyOption(options: MutableCopyOptions, name: string, d: DefElem, ctx: TransformContext): void {
  const at = errorPos(ctx, d.location);
  switch (name) {
    case 'format': {
      const value = copyString(d, ctx);
      if (value !== 'text' && value !== 'csv' && value !== 'binary') {
        throw new InvalidParameterValueError(`COPY format "${value}" not recognized`, { position: at });
      }
      options.format = value;
      return;
    }
    case 'header': {
      const option = transformOption(d, ctx, 'COPY');
      options.header = option.value?.toLowerCase() === 'match' ? 'match' : optionBoolean(option, ctx);
      return;
    }
    case 'freeze': options.freeze = optionBoolean(transformOption(d, ctx, 'COPY'), ctx); return;
    case 'delimiter': options.delimiter = copyString(d, ctx); return;
    case 'null': options.null = copyString(d, ctx); return;
    case 'default': options.default = copyString(d, ctx); return;
    case 'quote': options.quote = copyString(d, ctx); return;
    case 'escape': options.escape = copyString(d, ctx); return;
    case 'encoding': options.encoding = copyString(d, ctx); return;
    case 'force_quote': options.forceQuote = copyColumns(d, ctx); return;
    case 'force_not_null': options.forceNotNull = copyColumns(d, ctx); return;
    case 'force_null': options.forceNull = copyColumns(d, ctx); return;
    case 'on_error':
    case 'log_verbosity':
    case 'reject_limit':
    case 'convert_selectively':
      throw notSupported(`COPY option ${name.toUpperCase()}`, at);
    default:
      throw syntaxError(`option "${name}" not recognized`, at);
  }
}

function copyString(d: DefElem, ctx: TransformContext): string {
  const value = transformOption(d, ctx, 'COPY').value;
  if (value === null) throw syntaxError(`${d.defname ?? ''} requires a parameter`, errorPos(ctx, d.location));
  return value;
}

/** `(a, b)` or `*`. */
function copyColumns(d: DefElem, ctx: TransformContext): CopyColumns {
  if (pgAs(d.arg, 'A_Star') !== undefined) return { kind: 'all' };
  const list = pgAs(d.arg, 'List');
  if (list === undefined) throw syntaxError(`argument to option "${d.defname ?? ''}" must be a list of column names`, errorPos(ctx, d.location));
  return { kind: 'columns', columns: pgStrings(list.items, 'COPY column list') };
}

export function transformVacuumStmt(s: VacuumStmt, ctx: TransformContext): Vacuum {
  checkFields(s, ['options', 'rels', 'is_vacuumcmd'], 'VACUUM', ctx, -1);
  return {
    kind: 'vacuum',
    command: s.is_vacuumcmd === true ? 'vacuum' : 'analyze',
    options: transformOptions(s.options, ctx, 'VACUUM'),
    tables: pgList(s.rels).map((n) => {
      const r = pgExpect(n, 'VacuumRelation', 'VACUUM');
      checkFields(r, ['relation', 'va_cols'], 'VACUUM', ctx, -1);
      return { table: transformRangeVarName(required(r.relation, 'VACUUM table'), ctx), columns: pgStrings(r.va_cols, 'VACUUM column list') };
    }),
  };
}
