// Who may connect, decided once at listener start: everyone (trust), or the
// configured superuser proving its password with SCRAM-SHA-256. A plain
// password is turned into a verifier here, so the password itself is never
// kept, and per-connection work is a few HMACs (no PBKDF2 per login).
import { createHmac, randomBytes } from 'node:crypto';
import {
  deriveScramVerifier,
  parseScramVerifier,
  ScramExchange,
  scramNonceBytes,
  scramSaltBytes,
  type ScramVerifier,
} from './scram.js';

/** The `[security]` settings the listener needs (see server/config/schema.ts). */
export interface PgAuthenticationOptions {
  readonly enabled: boolean;
  /** The one role that may log in when authentication is enabled. */
  readonly superuser: string;
  /** Plain password; '' or undefined when unset. */
  readonly password?: string | undefined;
  /** A PostgreSQL SCRAM-SHA-256 verifier; preferred over `password` when both are set. */
  readonly passwordHash?: string | undefined;
}

export type Authenticator =
  | { readonly kind: 'trust' }
  | {
      readonly kind: 'scram';
      readonly superuser: string;
      readonly verifier: ScramVerifier;
      /** Keys the fake salt of unknown users, so it is stable per user but unpredictable. */
      readonly mockSecret: Buffer;
    };

/** Random bytes: node:crypto by default, a fixed sequence in tests. */
export type RandomBytes = (count: number) => Buffer;

/** Builds the policy; throws (naming the setting) on a verifier that does not parse or a missing password. */
export function createAuthenticator(options: PgAuthenticationOptions, random: RandomBytes = randomBytes): Authenticator {
  if (!options.enabled) return { kind: 'trust' };
  const hash = options.passwordHash ?? '';
  const password = options.password ?? '';
  let verifier: ScramVerifier | undefined;
  if (hash !== '') {
    verifier = parseScramVerifier(hash);
    if (verifier === undefined) {
      throw new Error('security.superuser_password_hash: not a SCRAM-SHA-256 verifier "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"');
    }
  } else if (password !== '') {
    verifier = deriveScramVerifier(password, random(scramSaltBytes));
  } else {
    throw new Error('security.authentication_enabled = true needs security.superuser_password or security.superuser_password_hash');
  }
  return { kind: 'scram', superuser: options.superuser, verifier, mockSecret: random(32) };
}

/**
 * A SCRAM exchange for `user`. Unknown users get a doomed exchange whose salt
 * is derived from the name (as PostgreSQL's scram_mock_salt does), so asking
 * twice shows the same salt, just like a real user.
 */
export function scramExchangeFor(auth: Extract<Authenticator, { kind: 'scram' }>, user: string, random: RandomBytes = randomBytes): ScramExchange {
  const nonce = random(scramNonceBytes).toString('base64');
  if (user === auth.superuser) return new ScramExchange(auth.verifier, nonce);
  const salt = createHmac('sha256', auth.mockSecret).update(user).digest().subarray(0, scramSaltBytes);
  return new ScramExchange(undefined, nonce, { salt, iterations: auth.verifier.iterations });
}
