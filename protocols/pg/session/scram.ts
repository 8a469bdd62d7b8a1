// SCRAM-SHA-256, server side (RFC 5802 and RFC 7677), as PostgreSQL speaks
// it: mechanism "SCRAM-SHA-256" only (no channel binding offered, so no
// "-PLUS"), the user name in client-first ignored (the startup packet's user
// is authoritative), no authorization identity. Pure apart from node:crypto
// hashing: the server nonce is handed in, so RFC 7677's example is a test.
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

export const scramMechanism = 'SCRAM-SHA-256';

/** Iterations when deriving a verifier from a plain password: PostgreSQL's scram_iterations default. */
export const scramIterationsDefault = 4096;

/** Random salt length for derived verifiers: PostgreSQL's SCRAM_DEFAULT_SALT_LEN. */
export const scramSaltBytes = 16;

/** Random bytes in the server's part of the nonce: PostgreSQL's SCRAM_RAW_NONCE_LEN. */
export const scramNonceBytes = 18;

/** SHA-256 output: StoredKey, ServerKey, proofs and signatures. */
export const scramKeyBytes = 32;

/** What the server stores instead of the password (PostgreSQL's pg_authid.rolpassword). */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Derives the verifier of `password` (SASLprep'd first, as PostgreSQL and libpq do). */
export function deriveScramVerifier(password: string, salt: Buffer, iterations: number = scramIterationsDefault): ScramVerifier {
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, scramKeyBytes, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return {
    iterations,
    salt: Buffer.from(salt),
    storedKey: sha256(clientKey),
    serverKey: hmac(salted, 'Server Key'),
  };
}

const verifierPattern = /^SCRAM-SHA-256\$([1-9][0-9]{0,9}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

/** Parses `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`; undefined if it is not one. */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const match = verifierPattern.exec(text);
  if (match === null) return undefined;
  const [, iterationsText = '', salt = '', storedKey = '', serverKey = ''] = match;
  const iterations = Number(iterationsText);
  const verifier = {
    iterations,
    salt: Buffer.from(salt, 'base64'),
    storedKey: Buffer.from(storedKey, 'base64'),
    serverKey: Buffer.from(serverKey, 'base64'),
  };
  const valid = Number.isSafeInteger(iterations) && iterations <= 0x7fff_ffff && verifier.salt.length > 0
    && verifier.storedKey.length === scramKeyBytes && verifier.serverKey.length === scramKeyBytes;
  return valid ? verifier : undefined;
}

export function formatScramVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

/**
 * SASLprep (RFC 4013), reduced to what changes real passwords: non-ASCII
 * spaces become U+0020, "commonly mapped to nothing" characters go, then NFKC.
 * Like PostgreSQL, a password that SASLprep would reject (here: one with
 * control characters outside ASCII) is used as it is, so it still works
 * with clients that do not normalise. The bidirectional and unassigned
 * code point checks are not implemented: they only ever make PostgreSQL
 * fall back to the raw password too.
 */
export function saslPrep(password: string): string {
  // ASCII passwords are unchanged by SASLprep (PostgreSQL takes the same shortcut).
  if (isAscii(password)) return password;
  let mapped = '';
  for (const char of password) {
    const code = char.codePointAt(0) ?? 0;
    if (inRanges(code, nonAsciiSpaces)) mapped += ' ';
    else if (!inRanges(code, mappedToNothing)) mapped += char;
  }
  mapped = mapped.normalize('NFKC');
  for (const char of mapped) {
    if (inRanges(char.codePointAt(0) ?? 0, prohibitedOutput)) return password;
  }
  return mapped === '' ? password : mapped;
}

type CodeRanges = readonly (readonly [number, number])[];

/** RFC 3454 C.1.2: mapped to U+0020. */
const nonAsciiSpaces: CodeRanges = [[0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
/** RFC 3454 B.1: mapped to nothing. */
const mappedToNothing: CodeRanges = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200c, 0x200d], [0x2060, 0x2060],
  [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
];
/** The prohibited tables a real password could hit: C.2.2 controls, C.3 private use, C.8 and C.9. */
const prohibitedOutput: CodeRanges = [
  [0x0080, 0x009f], [0x06dd, 0x06dd], [0x070f, 0x070f], [0x180e, 0x180e], [0x200e, 0x200f], [0x2028, 0x202e],
  [0x206a, 0x206f], [0xe000, 0xf8ff], [0xfff9, 0xfffd], [0xf0000, 0x10ffff],
];

function inRanges(code: number, ranges: CodeRanges): boolean {
  return ranges.some(([low, high]) => code >= low && code <= high);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** One step's answer: the next server message, or why the exchange ends. */
export type ScramStep =
  | { readonly kind: 'continue'; readonly message: string }
  | { readonly kind: 'success'; readonly message: string }
  /** The proof did not match (or the user does not exist): report 28P01 without saying which. */
  | { readonly kind: 'rejected' }
  /** The client broke the SCRAM grammar or asked for something we do not do. */
  | { readonly kind: 'malformed'; readonly sqlState: '08P01' | '0A000'; readonly message: string; readonly detail?: string };

type ExchangeState =
  | { readonly kind: 'expectClientFirst' }
  | { readonly kind: 'expectClientFinal'; readonly gs2Header: string; readonly nonce: string; readonly authPrefix: string }
  | { readonly kind: 'done' };

/**
 * One SCRAM exchange. `verifier` undefined runs the exchange for a user that
 * does not exist: the client sees the same messages (with `mockSalt`) and
 * fails at the proof, so it cannot tell a wrong user from a wrong password.
 */
export class ScramExchange {
  private state: ExchangeState = { kind: 'expectClientFirst' };
  private readonly verifier: ScramVerifier;
  private readonly doomed: boolean;

  constructor(
    verifier: ScramVerifier | undefined,
    /** The server's part of the nonce: printable ASCII without ','. */
    private readonly serverNonce: string,
    mock: { readonly salt: Buffer; readonly iterations: number } = { salt: Buffer.alloc(scramSaltBytes), iterations: scramIterationsDefault },
  ) {
    this.doomed = verifier === undefined;
    const zeros = Buffer.alloc(scramKeyBytes);
    this.verifier = verifier ?? { iterations: mock.iterations, salt: mock.salt, storedKey: zeros, serverKey: zeros };
  }

  /** client-first-message: `gs2-header client-first-message-bare`. */
  clientFirst(message: string): ScramStep {
    if (this.state.kind !== 'expectClientFirst') return malformed('unexpected client-first-message');
    this.state = { kind: 'done' };
    const header = parseGs2Header(message);
    if (header.kind === 'malformed') return header;
    const bare = message.slice(header.length);
    const fields = bare.split(',');
    const [user, nonce, ...extensions] = fields;
    if (user === undefined || !user.startsWith('n=')) return malformed('Expected attribute "n" in client-first-message.');
    if (nonce === undefined || !nonce.startsWith('r=')) return malformed('Expected attribute "r" in client-first-message.');
    const clientNonce = nonce.slice(2);
    if (clientNonce === '' || !isPrintableNonce(clientNonce)) return malformed('Invalid nonce in client-first-message.');
    if (extensions.some((e) => e.startsWith('m='))) {
      return { kind: 'malformed', sqlState: '0A000', message: 'client requires an unsupported SCRAM extension' };
    }
    const combinedNonce = clientNonce + this.serverNonce;
    const serverFirst = `r=${combinedNonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    this.state = {
      kind: 'expectClientFinal',
      gs2Header: message.slice(0, header.length),
      nonce: combinedNonce,
      authPrefix: `${bare},${serverFirst},`,
    };
    return { kind: 'continue', message: serverFirst };
  }

  /** client-final-message: `c=<gs2 header>,r=<nonce>[,extensions],p=<proof>`. */
  clientFinal(message: string): ScramStep {
    const state = this.state;
    if (state.kind !== 'expectClientFinal') return malformed('unexpected client-final-message');
    this.state = { kind: 'done' };
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) return malformed('Could not find proof in client-final-message.');
    const withoutProof = message.slice(0, proofAt);
    const [binding, nonce] = withoutProof.split(',');
    if (binding === undefined || !binding.startsWith('c=')) return malformed('Expected attribute "c" in client-final-message.');
    if (Buffer.from(binding.slice(2), 'base64').toString('latin1') !== state.gs2Header) {
      return malformed('Unexpected SCRAM channel-binding attribute in client-final-message.');
    }
    if (nonce !== `r=${state.nonce}`) return malformed('Nonce does not match.', 'invalid SCRAM response');
    const proof = decodeBase64Exact(message.slice(proofAt + 3));
    if (proof === undefined || proof.length !== scramKeyBytes) return malformed('Malformed proof in client-final-message.');
    const authMessage = state.authPrefix + withoutProof;
    if (!this.proofMatches(proof, authMessage) || this.doomed) return { kind: 'rejected' };
    const serverSignature = createHmac('sha256', this.verifier.serverKey).update(authMessage).digest();
    return { kind: 'success', message: `v=${serverSignature.toString('base64')}` };
  }

  private proofMatches(proof: Buffer, authMessage: string): boolean {
    const clientSignature = createHmac('sha256', this.verifier.storedKey).update(authMessage).digest();
    const clientKey = Buffer.alloc(scramKeyBytes);
    for (let i = 0; i < scramKeyBytes; i++) clientKey[i] = (proof[i] ?? 0) ^ (clientSignature[i] ?? 0);
    return timingSafeEqual(sha256(clientKey), this.verifier.storedKey);
  }
}

type Gs2Header = { readonly kind: 'ok'; readonly length: number } | Extract<ScramStep, { kind: 'malformed' }>;

/** `n,,` or `y,,`: channel binding not used. `p=...` is refused: we never offered SCRAM-SHA-256-PLUS. */
function parseGs2Header(message: string): Gs2Header {
  const flag = message[0];
  if (flag === 'p') {
    return malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
  }
  if ((flag !== 'n' && flag !== 'y') || message[1] !== ',') return malformed('Unexpected channel-binding flag in client-first-message.');
  if (message.startsWith('a=', 2)) {
    return { kind: 'malformed', sqlState: '0A000', message: 'client uses authorization identity, but it is not supported' };
  }
  if (message[2] !== ',') return malformed('Unexpected attribute in client-first-message.');
  return { kind: 'ok', length: 3 };
}

function malformed(detail: string, message = 'malformed SCRAM message'): Extract<ScramStep, { kind: 'malformed' }> {
  return { kind: 'malformed', sqlState: '08P01', message, detail };
}

/** RFC 5802's `printable`: %x21-2B / %x2D-7E (no comma). */
function isPrintableNonce(nonce: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);
}

/** Base64 that round-trips exactly (Buffer.from silently skips junk). */
function decodeBase64Exact(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
