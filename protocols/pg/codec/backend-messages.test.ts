// Every backend message, read back by node-postgres's own client-side Parser.
import { describe, expect, it } from 'vitest';
import { BufferWriter } from './buffer-writer.js';
import { FormatCode, TransactionStatus, TypeOid, typeSizeByOid } from './constants.js';
import {
  writeAuthenticationCleartextPassword,
  writeAuthenticationMd5Password,
  writeAuthenticationOk,
  writeAuthenticationSasl,
  writeAuthenticationSaslContinue,
  writeAuthenticationSaslFinal,
  writeBackendKeyData,
  writeBindComplete,
  writeCloseComplete,
  writeCommandComplete,
  writeCopyData,
  writeCopyDone,
  writeCopyInResponse,
  writeCopyOutResponse,
  writeDataRow,
  writeEmptyQueryResponse,
  writeEncryptionAnswer,
  writeNegotiateProtocolVersion,
  writeNoData,
  writeNotificationResponse,
  writeParameterDescription,
  writeParameterStatus,
  writeParseComplete,
  writePortalSuspended,
  writeReadyForQuery,
  writeRowDescription,
} from './backend-messages.js';
import { writeErrorResponse, writeNoticeResponse } from './error-fields.js';
import { parseAsClient } from './test-support.js';

/** Writes with `write`, flushes, and parses as a client: exactly one message expected. */
function asClient(write: (w: BufferWriter) => void): Record<string, unknown> {
  const w = new BufferWriter();
  write(w);
  const messages = parseAsClient(w.flush());
  expect(messages).toHaveLength(1);
  return messages[0] as unknown as Record<string, unknown>;
}

describe('backend messages parsed by pg-protocol', () => {
  it('authentication requests', () => {
    expect(asClient(writeAuthenticationOk)).toMatchObject({ name: 'authenticationOk' });
    expect(asClient(writeAuthenticationCleartextPassword)).toMatchObject({ name: 'authenticationCleartextPassword' });
    const md5 = asClient((w) => writeAuthenticationMd5Password(w, Buffer.from([1, 2, 3, 4])));
    expect(md5).toMatchObject({ name: 'authenticationMD5Password' });
    expect([...(md5['salt'] as Buffer)]).toEqual([1, 2, 3, 4]);
    expect(asClient((w) => writeAuthenticationSasl(w, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']))).toMatchObject({
      name: 'authenticationSASL',
      mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'],
    });
    expect(asClient((w) => writeAuthenticationSaslContinue(w, 'r=abc,s=c2FsdA==,i=4096'))).toMatchObject({
      name: 'authenticationSASLContinue',
      data: 'r=abc,s=c2FsdA==,i=4096',
    });
    expect(asClient((w) => writeAuthenticationSaslFinal(w, Buffer.from('v=xyz')))).toMatchObject({
      name: 'authenticationSASLFinal',
      data: 'v=xyz',
    });
  });

  it('ParameterStatus and BackendKeyData', () => {
    expect(asClient((w) => writeParameterStatus(w, 'server_version', '16.0 (ThunderDB)'))).toMatchObject({
      name: 'parameterStatus',
      parameterName: 'server_version',
      parameterValue: '16.0 (ThunderDB)',
    });
    expect(asClient((w) => writeBackendKeyData(w, 31337, -559038737))).toMatchObject({
      name: 'backendKeyData',
      processID: 31337,
      secretKey: -559038737,
    });
  });

  it('ReadyForQuery with each transaction status', () => {
    for (const status of Object.values(TransactionStatus)) {
      expect(asClient((w) => writeReadyForQuery(w, status))).toMatchObject({ name: 'readyForQuery', status });
    }
  });

  it('RowDescription', () => {
    const message = asClient((w) =>
      writeRowDescription(w, [
        { name: 'id', tableOid: 16384, columnNumber: 1, typeOid: TypeOid.Int8, typeSize: 8, typeModifier: -1, format: FormatCode.Text },
        { name: 'naïve', tableOid: 0, columnNumber: 0, typeOid: TypeOid.Varchar, typeSize: -1, typeModifier: 14, format: FormatCode.Binary },
        { name: '', tableOid: 4_000_000_000, columnNumber: 0, typeOid: 4_000_000_001, typeSize: -2, typeModifier: -1, format: FormatCode.Text },
      ]),
    );
    expect(message).toMatchObject({ name: 'rowDescription', fieldCount: 3 });
    expect(message['fields']).toEqual([
      { name: 'id', tableID: 16384, columnID: 1, dataTypeID: 20, dataTypeSize: 8, dataTypeModifier: -1, format: 'text' },
      { name: 'naïve', tableID: 0, columnID: 0, dataTypeID: 1043, dataTypeSize: -1, dataTypeModifier: 14, format: 'binary' },
      { name: '', tableID: 4_000_000_000, columnID: 0, dataTypeID: 4_000_000_001, dataTypeSize: -2, dataTypeModifier: -1, format: 'text' },
    ]);
  });

  it('DataRow: strings, bytes, NULL, empty string, non-ASCII and long values', () => {
    const long = 'ü'.repeat(50_000);
    const message = asClient((w) =>
      writeDataRow(w, ['1', null, '', 'héllo wörld, this is past the ASCII loop limit €', Buffer.from('bytes'), long, 'x'.repeat(33)]),
    );
    expect(message).toMatchObject({
      name: 'dataRow',
      fieldCount: 7,
      fields: ['1', null, '', 'héllo wörld, this is past the ASCII loop limit €', 'bytes', long, 'x'.repeat(33)],
    });
  });

  it('CommandComplete, EmptyQueryResponse and the empty extended-query replies', () => {
    expect(asClient((w) => writeCommandComplete(w, 'INSERT 0 3'))).toMatchObject({ name: 'commandComplete', text: 'INSERT 0 3' });
    expect(asClient(writeEmptyQueryResponse)).toMatchObject({ name: 'emptyQuery' });
    expect(asClient(writeParseComplete)).toMatchObject({ name: 'parseComplete' });
    expect(asClient(writeBindComplete)).toMatchObject({ name: 'bindComplete' });
    expect(asClient(writeCloseComplete)).toMatchObject({ name: 'closeComplete' });
    expect(asClient(writeNoData)).toMatchObject({ name: 'noData' });
    expect(asClient(writePortalSuspended)).toMatchObject({ name: 'portalSuspended' });
  });

  it('ParameterDescription', () => {
    expect(asClient((w) => writeParameterDescription(w, [TypeOid.Int4, TypeOid.Text, 4_000_000_000]))).toMatchObject({
      name: 'parameterDescription',
      parameterCount: 3,
      dataTypeIDs: [23, 25, 4_000_000_000],
    });
  });

  it('ErrorResponse with every field', () => {
    const error = asClient((w) =>
      writeErrorResponse(w, {
        severity: 'ERROR',
        code: '23505',
        message: 'duplicate key value violates unique constraint "users_pkey"',
        detail: 'Key (id)=(1) already exists.',
        hint: 'Pick another id.',
        position: 15,
        internalPosition: 3,
        internalQuery: 'SELECT 1',
        where: 'SQL function "f"',
        schemaName: 'public',
        tableName: 'users',
        columnName: 'id',
        dataTypeName: 'int8',
        constraintName: 'users_pkey',
        file: 'nbtinsert.ts',
        line: 666,
        routine: 'checkUnique',
      }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'error',
      message: 'duplicate key value violates unique constraint "users_pkey"',
      severity: 'ERROR',
      code: '23505',
      detail: 'Key (id)=(1) already exists.',
      hint: 'Pick another id.',
      position: '15',
      internalPosition: '3',
      internalQuery: 'SELECT 1',
      where: 'SQL function "f"',
      schema: 'public',
      table: 'users',
      column: 'id',
      dataType: 'int8',
      constraint: 'users_pkey',
      file: 'nbtinsert.ts',
      line: '666',
      routine: 'checkUnique',
    });
  });

  it('ErrorResponse with only the required fields, and a NoticeResponse', () => {
    const error = asClient((w) => writeErrorResponse(w, { severity: 'FATAL', code: '08P01', message: 'invalid message length 3' }));
    expect(error).toMatchObject({ severity: 'FATAL', code: '08P01', message: 'invalid message length 3', detail: undefined });
    const notice = asClient((w) =>
      writeNoticeResponse(w, { severity: 'WARNING', code: '01000', message: 'there is no transaction in progress', detail: undefined }),
    );
    expect(notice).toMatchObject({ name: 'notice', severity: 'WARNING', code: '01000', message: 'there is no transaction in progress' });
  });

  it('NUL inside a field cannot forge another field', () => {
    const error = asClient((w) => writeErrorResponse(w, { severity: 'ERROR', code: '22P02', message: 'bad input "a\0C99999"' }));
    expect(error).toMatchObject({ code: '22P02', message: 'bad input "a\uFFFDC99999"' });
  });

  it('COPY responses, CopyData and CopyDone', () => {
    expect(asClient((w) => writeCopyInResponse(w, FormatCode.Text, [FormatCode.Text, FormatCode.Text]))).toMatchObject({
      name: 'copyInResponse',
      binary: false,
      columnTypes: [0, 0],
    });
    expect(asClient((w) => writeCopyOutResponse(w, FormatCode.Binary, [FormatCode.Binary, FormatCode.Text]))).toMatchObject({
      name: 'copyOutResponse',
      binary: true,
      columnTypes: [1, 0],
    });
    const data = asClient((w) => writeCopyData(w, Buffer.from('1\tfoo\n')));
    expect(data).toMatchObject({ name: 'copyData' });
    expect((data['chunk'] as Buffer).toString()).toBe('1\tfoo\n');
    expect((asClient((w) => writeCopyData(w, 'é\n'))['chunk'] as Buffer).toString()).toBe('é\n');
    expect(asClient(writeCopyDone)).toMatchObject({ name: 'copyDone' });
  });

  it('text COPY with a binary column is a bug in the caller', () => {
    expect(() => writeCopyInResponse(new BufferWriter(), FormatCode.Text, [FormatCode.Binary])).toThrow(/invariant/);
  });

  it('NotificationResponse', () => {
    expect(asClient((w) => writeNotificationResponse(w, 42, 'orders', '{"id":7}'))).toMatchObject({
      name: 'notification',
      processId: 42,
      channel: 'orders',
      payload: '{"id":7}',
    });
  });

  it('a whole batch in one flush, parsed in order', () => {
    const w = new BufferWriter(64);
    writeParseComplete(w);
    writeBindComplete(w);
    writeRowDescription(w, [
      { name: 'n', tableOid: 0, columnNumber: 0, typeOid: TypeOid.Int4, typeSize: typeSizeByOid.get(TypeOid.Int4) ?? 0, typeModifier: -1, format: FormatCode.Text },
    ]);
    for (let i = 0; i < 1000; i++) writeDataRow(w, [String(i)]);
    writeCommandComplete(w, 'SELECT 1000');
    writeReadyForQuery(w, TransactionStatus.Idle);
    const messages = parseAsClient(w.flush());
    expect(messages.map((m) => m.name)).toEqual([
      'parseComplete', 'bindComplete', 'rowDescription', ...Array<string>(1000).fill('dataRow'), 'commandComplete', 'readyForQuery',
    ]);
    expect((messages[502] as unknown as { fields: string[] }).fields).toEqual(['499']);
  });
});

describe('messages pg-protocol cannot parse, checked byte by byte', () => {
  it('NegotiateProtocolVersion', () => {
    const w = new BufferWriter();
    writeNegotiateProtocolVersion(w, 0, ['_pq_.unknown']);
    expect([...w.flush()]).toEqual([
      0x76, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, 1, ...Buffer.from('_pq_.unknown\0'),
    ]);
  });

  it('the unframed answer to SSLRequest', () => {
    const w = new BufferWriter();
    writeEncryptionAnswer(w, false);
    writeEncryptionAnswer(w, true);
    expect(w.flush().toString('latin1')).toBe('NS');
  });
});
