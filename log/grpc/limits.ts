// Named limits of the gRPC transport (STYLE.md: every queue, batch and frame
// has one), with defaults and the startup check.

export interface TransportLimits {
  /** Messages waiting to be written to one peer; beyond it new messages are dropped. */
  readonly queueMessagesMax: number;
  /** Encoded bytes waiting for one peer; beyond it new messages are dropped. */
  readonly queueBytesMax: number;
  /** Encoded bytes in one RaftBatch frame (a larger single message goes alone). */
  readonly batchBytesMax: number;
  /** Largest gRPC message accepted (one RaftBatch): a 16 MiB entry plus framing fits. */
  readonly frameBytesMax: number;
  /** Reconnect backoff: first delay, doubled per failure up to the max (with jitter). */
  readonly reconnectDelayMsMin: number;
  readonly reconnectDelayMsMax: number;
  /** Retry delay after a peer refused us (another cluster, duplicate id): a configuration error. */
  readonly refusedRetryDelayMs: number;
  /** Deadline of one Hello call. */
  readonly helloTimeoutMs: number;
  /** How often waitForPeerIds logs "waiting for peers". */
  readonly waitLogIntervalMs: number;
}

export const defaultTransportLimits: TransportLimits = {
  queueMessagesMax: 4096,
  queueBytesMax: 64 * 1024 * 1024,
  batchBytesMax: 4 * 1024 * 1024,
  frameBytesMax: 40 * 1024 * 1024,
  reconnectDelayMsMin: 50,
  reconnectDelayMsMax: 1000,
  refusedRetryDelayMs: 5000,
  helloTimeoutMs: 2000,
  waitLogIntervalMs: 3000,
};

export function resolveTransportLimits(overrides: Partial<TransportLimits> = {}): TransportLimits {
  const limits = { ...defaultTransportLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`gRPC transport limit ${name} = ${String(value)}: expected a positive integer`);
  }
  if (limits.batchBytesMax > limits.frameBytesMax) {
    throw new RangeError(`gRPC transport limit batchBytesMax = ${limits.batchBytesMax} is above frameBytesMax = ${limits.frameBytesMax}`);
  }
  if (limits.reconnectDelayMsMin > limits.reconnectDelayMsMax) {
    throw new RangeError(`gRPC transport limit reconnectDelayMsMin = ${limits.reconnectDelayMsMin} is above reconnectDelayMsMax = ${limits.reconnectDelayMsMax}`);
  }
  return limits;
}
