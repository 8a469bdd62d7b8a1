// SCRAM-SHA-256 against RFC 7677's worked example, and every way a client
// can get the exchange wrong.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  deriveScramVerifier,
  formatScramVerifier,
  parseScramVerifier,
  saslPrep,
  ScramExchange,
  type ScramVerifier,
} from './scram.js';
import { ScramClient } from './testing/session-harness.js';

// RFC 7677 section 3: user "user", password "pencil".
const rfc = {
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

const pencil: ScramVerifier = deriveScramVerifier('pencil', rfc.salt, 4096);

function rfcExchange(verifier: ScramVerifier | undefined = pencil): ScramExchange {
  return new ScramExchange(verifier, rfc.serverNonce, { salt: rfc.salt, iterations: 4096 });
}

describe('SCRAM-SHA-256 exchange', () => {
  it('reproduces RFC 7677 section 3 byte for byte', () => {
    const exchange = rfcExchange();
    expect(exchange.clientFirst(rfc.clientFirst)).toEqual({ kind: 'continue', message: rfc.serverFirst });
    expect(exchange.clientFinal(rfc.clientFinal)).toEqual({ kind: 'success', message: rfc.serverFinal });
  });

  it('accepts a stored PostgreSQL verifier string as well as a derived one', () => {
    const stored = parseScramVerifier(formatScramVerifier(pencil));
    expect(stored).toEqual(pencil);
    const exchange = rfcExchange(stored);
    exchange.clientFirst(rfc.clientFirst);
    expect(exchange.clientFinal(rfc.clientFinal).kind).toBe('success');
  });

  it('rejects a wrong proof without saying why', () => {
    const exchange = rfcExchange(deriveScramVerifier('pencil2', rfc.salt, 4096));
    exchange.clientFirst(rfc.clientFirst);
    expect(exchange.clientFinal(rfc.clientFinal)).toEqual({ kind: 'rejected' });
  });

  it('runs a doomed exchange for an unknown user: same messages, then rejected even with the right proof', () => {
    const exchange = new ScramExchange(undefined, rfc.serverNonce, { salt: rfc.salt, iterations: 4096 });
    expect(exchange.clientFirst(rfc.clientFirst)).toEqual({ kind: 'continue', message: rfc.serverFirst });
    expect(exchange.clientFinal(rfc.clientFinal)).toEqual({ kind: 'rejected' });
  });

  it('completes with a client that computes the proof itself, for any password', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (password, salt) => {
        const verifier = deriveScramVerifier(password, Buffer.from(salt), 64);
        const exchange = new ScramExchange(verifier, 'serverNonce');
        const client = new ScramClient(saslPrep(password), 'clientNonce');
        const first = exchange.clientFirst(client.clientFirst());
        if (first.kind !== 'continue') return false;
        const final = exchange.clientFinal(client.clientFinal(first.message));
        return final.kind === 'success' && client.verifyServerFinal(final.message);
      }),
      { numRuns: 30 },
    );
  });

  it.each([
    ['channel binding data (we never offer -PLUS)', 'p=tls-server-end-point,,n=,r=abc', '08P01'],
    ['an unknown channel-binding flag', 'x,,n=,r=abc', '08P01'],
    ['an authorization identity', 'n,a=other,n=,r=abc', '0A000'],
    ['no nonce', 'n,,n=user', '08P01'],
    ['an empty nonce', 'n,,n=user,r=', '08P01'],
    ['a nonce with a comma-free but non-printable byte', 'n,,n=user,r=ab\u0001c', '08P01'],
    ['a mandatory extension', 'n,,n=user,r=abc,m=ext', '0A000'],
  ])('refuses a client-first-message with %s', (_what, message, sqlState) => {
    expect(rfcExchange().clientFirst(message)).toMatchObject({ kind: 'malformed', sqlState });
  });

  it.each([
    ['no proof', 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0'],
    ['another GS2 header in c=', 'c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='],
    ['a different nonce', 'c=biws,r=rOprNGfwEbeRWgbNEkqOother,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='],
    ['a proof that is not base64', 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!!'],
    ['a short proof', 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA'],
  ])('refuses a client-final-message with %s', (_what, message) => {
    const exchange = rfcExchange();
    exchange.clientFirst(rfc.clientFirst);
    expect(exchange.clientFinal(message)).toMatchObject({ kind: 'malformed', sqlState: '08P01' });
  });

  it('refuses messages out of order and a replayed client-final', () => {
    expect(rfcExchange().clientFinal(rfc.clientFinal)).toMatchObject({ kind: 'malformed' });
    const exchange = rfcExchange();
    exchange.clientFirst(rfc.clientFirst);
    expect(exchange.clientFinal(rfc.clientFinal).kind).toBe('success');
    expect(exchange.clientFinal(rfc.clientFinal)).toMatchObject({ kind: 'malformed' });
    expect(exchange.clientFirst(rfc.clientFirst)).toMatchObject({ kind: 'malformed' });
  });
});

describe('SCRAM verifiers', () => {
  it('parse what PostgreSQL stores and refuse anything else', () => {
    const text = formatScramVerifier(pencil);
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    for (const bad of [
      '', 'md5abc', text.replace('4096', '0'), text.replace('SCRAM-SHA-256', 'SCRAM-SHA-1'),
      text.replace(/:[^:]+$/, ':AAAA'), text.replace('$4096:', '$4096:$'),
    ]) {
      expect(parseScramVerifier(bad), bad).toBeUndefined();
    }
  });
});

describe('SASLprep', () => {
  it.each([
    ['ASCII is unchanged, even with controls', 'pa ss\u0001word', 'pa ss\u0001word'],
    ['non-ASCII spaces become spaces', 'a\u00a0b\u3000c', 'a b c'],
    ['soft hyphens and joiners vanish', 'pass\u00adword\u200d', 'password'],
    ['NFKC applies', '\u2168', 'IX'],
    ['prohibited output falls back to the raw password', 'pass\u0085word', 'pass\u0085word'],
  ])('%s', (_what, input, output) => {
    expect(saslPrep(input)).toBe(output);
  });
});
