// One parsed PostgreSQL statement → a ThunderDB statement: the dispatch to
// the area transformers, and the small statements that need no file of their own.

import type { Node } from 'libpg-query';
import type { Statement } from '../ast/index.js';
import { notSupported } from './errors.js';
import { checkFields, errorPos, pgExpect, pgTag } from './pg-nodes.js';
import type { PgTag, TransformContext } from './pg-nodes.js';
import {
  transformAlterTableStmt, transformCreateSchemaStmt, transformCreateStmt, transformCreatedbStmt,
  transformDropStmt, transformDropdbStmt, transformIndexStmt, transformRenameStmt, transformTruncateStmt,
} from './transform-ddl.js';
import { transformDeleteStmt, transformInsertStmt, transformUpdateStmt } from './transform-dml.js';
import { transformTypeName } from './transform-func.js';
import { transformSelectStmt } from './transform-select.js';
import {
  preparable, transformCopyStmt, transformExecute, transformExplainStmt, transformTransactionStmt,
  transformVacuumStmt, transformVariableSetStmt,
} from './transform-utility.js';

/** Statements PostgreSQL has and ThunderDB refuses, by their SQL command names. */
const unsupportedStatementNames: Partial<Record<PgTag, string>> = {
  ViewStmt: 'CREATE VIEW',
  CreateTableAsStmt: 'CREATE TABLE AS / CREATE MATERIALIZED VIEW / SELECT INTO',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  DropRoleStmt: 'DROP ROLE',
  GrantStmt: 'GRANT / REVOKE',
  GrantRoleStmt: 'GRANT / REVOKE role',
  MergeStmt: 'MERGE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH / MOVE',
  ClosePortalStmt: 'CLOSE',
  LockStmt: 'LOCK',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  CommentStmt: 'COMMENT',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateEnumStmt: 'CREATE TYPE ... AS ENUM',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateDomainStmt: 'CREATE DOMAIN',
  ReindexStmt: 'REINDEX',
  ClusterStmt: 'CLUSTER',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE ... SET',
  AlterOwnerStmt: 'ALTER ... OWNER TO',
  AlterObjectSchemaStmt: 'ALTER ... SET SCHEMA',
  ConstraintsSetStmt: 'SET CONSTRAINTS',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  LoadStmt: 'LOAD',
  RuleStmt: 'CREATE RULE',
  CreatePolicyStmt: 'CREATE POLICY',
};

export function transformStatement(node: Node, ctx: TransformContext): Statement {
  const tag = pgTag(node);
  switch (tag) {
    case 'SelectStmt': return transformSelectStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'InsertStmt': return transformInsertStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'UpdateStmt': return transformUpdateStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'DeleteStmt': return transformDeleteStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'CreateStmt': return transformCreateStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'DropStmt': return transformDropStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'IndexStmt': return transformIndexStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'AlterTableStmt': return transformAlterTableStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'RenameStmt': return transformRenameStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'TruncateStmt': return transformTruncateStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'CreatedbStmt': return transformCreatedbStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'DropdbStmt': return transformDropdbStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'CreateSchemaStmt': return transformCreateSchemaStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'TransactionStmt': return transformTransactionStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'VariableSetStmt': return transformVariableSetStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'VariableShowStmt': return { kind: 'show', name: pgExpect(node, tag, 'statement').name ?? '' };
    case 'ExplainStmt': return transformExplainStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'CopyStmt': return transformCopyStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'VacuumStmt': return transformVacuumStmt(pgExpect(node, tag, 'statement'), ctx);
    case 'CheckPointStmt': return { kind: 'checkpoint' };
    case 'PrepareStmt': {
      const p = pgExpect(node, tag, 'statement');
      checkFields(p, ['name', 'argtypes', 'query'], 'PREPARE', ctx, -1);
      return {
        kind: 'prepare', name: p.name ?? '',
        paramTypes: (p.argtypes ?? []).map((t) => transformTypeName(pgExpect(t, 'TypeName', 'PREPARE'), ctx)),
        statement: preparable(p.query, ctx, 'PREPARE'),
      };
    }
    case 'ExecuteStmt': return transformExecute(pgExpect(node, tag, 'statement'), ctx);
    default: return transformSessionStatement(node, tag, ctx);
  }
}

/** DEALLOCATE, DISCARD, LISTEN, NOTIFY, UNLISTEN, and the refusal of everything else. */
function transformSessionStatement(node: Node, tag: PgTag | undefined, ctx: TransformContext): Statement {
  switch (tag) {
    case 'DeallocateStmt': {
      const d = pgExpect(node, tag, 'statement');
      checkFields(d, ['name', 'isall', 'location'], 'DEALLOCATE', ctx, d.location);
      return { kind: 'deallocate', name: d.isall === true ? null : (d.name ?? '') };
    }
    case 'DiscardStmt': {
      const target = pgExpect(node, tag, 'statement').target ?? 'DISCARD_ALL';
      return { kind: 'discard', target: target === 'DISCARD_PLANS' ? 'plans' : target === 'DISCARD_SEQUENCES' ? 'sequences' : target === 'DISCARD_TEMP' ? 'temp' : 'all' };
    }
    case 'ListenStmt': return { kind: 'listen', channel: pgExpect(node, tag, 'statement').conditionname ?? '' };
    case 'NotifyStmt': {
      const n = pgExpect(node, tag, 'statement');
      return { kind: 'notify', channel: n.conditionname ?? '', payload: n.payload ?? null };
    }
    case 'UnlistenStmt': return { kind: 'unlisten', channel: pgExpect(node, tag, 'statement').conditionname ?? null };
    default: {
      const name = tag === undefined ? 'an empty statement' : (unsupportedStatementNames[tag] ?? tag.replace(/Stmt$/, ''));
      throw notSupported(name, errorPos(ctx, -1));
    }
  }
}
