/**
 * A reason the server cannot start that the operator can fix (a port in use,
 * an unwritable directory, an unsupported setting). main() prints its message
 * as one line and exits non-zero, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
