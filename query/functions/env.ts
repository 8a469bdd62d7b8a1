// What a function implementation may consult while it runs: the statement's
// runtime (session, transaction timestamp, clock seam) and the settings value
// I/O needs (time zone, 'now'). The executor's environment extends this, so
// the function library never depends on the executor.

import type { RuntimeContext } from '../contract.js';
import type { TypeSession } from '../types/session.js';

export interface FunctionEnv {
  readonly runtime: RuntimeContext;
  readonly typeSession: TypeSession;
}
