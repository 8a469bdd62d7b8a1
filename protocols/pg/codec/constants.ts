// Numbers fixed by the PostgreSQL v3 protocol and catalog. They go on the wire
// or into clients' type maps: never renumber.

/** Type OIDs of pg_type for the types ThunderDB speaks. */
export const TypeOid = {
  Bool: 16,
  Bytea: 17,
  Char: 18,
  Name: 19,
  Int8: 20,
  Int2: 21,
  Int4: 23,
  RegProc: 24,
  Text: 25,
  Oid: 26,
  Json: 114,
  Float4: 700,
  Float8: 701,
  Unknown: 705,
  Bpchar: 1042,
  Varchar: 1043,
  Date: 1082,
  Time: 1083,
  Timestamp: 1114,
  Timestamptz: 1184,
  Interval: 1186,
  Numeric: 1700,
  RegClass: 2205,
  RegType: 2206,
  Void: 2278,
  Uuid: 2950,
  Jsonb: 3802,
} as const;
export type TypeOid = (typeof TypeOid)[keyof typeof TypeOid];

/** Array type OIDs (pg_type.typarray). `unknown` and `void` have none. */
export const ArrayTypeOid = {
  Bool: 1000,
  Bytea: 1001,
  Char: 1002,
  Name: 1003,
  Int8: 1016,
  Int2: 1005,
  Int4: 1007,
  RegProc: 1008,
  Text: 1009,
  Oid: 1028,
  Json: 199,
  Float4: 1021,
  Float8: 1022,
  Bpchar: 1014,
  Varchar: 1015,
  Date: 1182,
  Time: 1183,
  Timestamp: 1115,
  Timestamptz: 1185,
  Interval: 1187,
  Numeric: 1231,
  RegClass: 2210,
  RegType: 2211,
  Uuid: 2951,
  Jsonb: 3807,
} as const;
export type ArrayTypeOid = (typeof ArrayTypeOid)[keyof typeof ArrayTypeOid];

/**
 * pg_type.typlen of the types above, for RowDescription's type size: bytes of
 * a fixed-size type, -1 for variable length (varlena), -2 for a C string.
 * Every array type is -1.
 */
export const typeSizeByOid: ReadonlyMap<number, number> = new Map<number, number>([
  [TypeOid.Bool, 1], [TypeOid.Bytea, -1], [TypeOid.Char, 1], [TypeOid.Name, 64],
  [TypeOid.Int8, 8], [TypeOid.Int2, 2], [TypeOid.Int4, 4], [TypeOid.RegProc, 4],
  [TypeOid.Text, -1], [TypeOid.Oid, 4], [TypeOid.Json, -1], [TypeOid.Float4, 4],
  [TypeOid.Float8, 8], [TypeOid.Unknown, -2], [TypeOid.Bpchar, -1], [TypeOid.Varchar, -1],
  [TypeOid.Date, 4], [TypeOid.Time, 8], [TypeOid.Timestamp, 8], [TypeOid.Timestamptz, 8],
  [TypeOid.Interval, 16], [TypeOid.Numeric, -1], [TypeOid.RegClass, 4], [TypeOid.RegType, 4],
  [TypeOid.Void, 4], [TypeOid.Uuid, 16], [TypeOid.Jsonb, -1],
  ...Object.values(ArrayTypeOid).map((oid): [number, number] => [oid, -1]),
]);

/** Format codes of Bind, RowDescription, COPY and FunctionCall. */
export const FormatCode = { Text: 0, Binary: 1 } as const;
export type FormatCode = (typeof FormatCode)[keyof typeof FormatCode];

/** Type bytes of the messages a client sends after the startup packet. */
export const FrontendType = {
  Bind: 0x42, // 'B'
  Close: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Flush: 0x48, // 'H'
  FunctionCall: 0x46, // 'F'
  Parse: 0x50, // 'P'
  /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share 'p'. */
  AuthResponse: 0x70, // 'p'
  Query: 0x51, // 'Q'
  Sync: 0x53, // 'S'
  Terminate: 0x58, // 'X'
} as const;
export type FrontendType = (typeof FrontendType)[keyof typeof FrontendType];

/** Type bytes of the messages the server sends. */
export const BackendType = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  NotificationResponse: 0x41, // 'A'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const;
export type BackendType = (typeof BackendType)[keyof typeof BackendType];

/** The Int32 after the length of a startup packet. */
export const StartupCode = {
  /** Major 3 in the high 16 bits, minor 0 in the low 16 bits. */
  ProtocolV3: 3 << 16,
  CancelRequest: (1234 << 16) | 5678, // 80877102
  SslRequest: (1234 << 16) | 5679, // 80877103
  GssEncRequest: (1234 << 16) | 5680, // 80877104
} as const;

/** The only major protocol version ThunderDB speaks, and its newest minor. */
export const protocolMajorVersion = 3;
export const protocolMinorVersionLatest = 0;

/** The single byte answering SSLRequest / GSSENCRequest (not a framed message). */
export const EncryptionAnswer = { Accept: 0x53, Refuse: 0x4e } as const; // 'S', 'N'

/** Authentication request codes, the Int32 after 'R'. */
export const AuthCode = {
  Ok: 0,
  CleartextPassword: 3,
  Md5Password: 5,
  Sasl: 10,
  SaslContinue: 11,
  SaslFinal: 12,
} as const;

/** ReadyForQuery's transaction status byte. */
export const TransactionStatus = {
  Idle: 'I',
  InTransaction: 'T',
  Failed: 'E',
} as const;
export type TransactionStatus = (typeof TransactionStatus)[keyof typeof TransactionStatus];

/** SQLSTATE codes the codec itself reports. */
export const SqlState = {
  ProtocolViolation: '08P01',
  ProgramLimitExceeded: '54000',
  CharacterNotInRepertoire: '22021',
  FeatureNotSupported: '0A000',
  InvalidParameterValue: '22023',
} as const;
export type SqlState = (typeof SqlState)[keyof typeof SqlState];
