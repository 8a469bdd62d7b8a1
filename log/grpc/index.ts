// The gRPC transport between ThunderDB nodes (raft.proto on grpc_port).
export {
  GrpcTransport, TransportClosedError, TransportListenError, type GrpcTransportOptions, type PeerStatus, type TransportObserver,
} from './grpc-transport.js';
export { defaultTransportLimits, type TransportLimits } from './limits.js';
export { decodeMessage, encodeMessage } from './message-codec.js';
export type { DropReason, LinkState } from './peer-link.js';
export { protocolVersion } from './wire.js';
