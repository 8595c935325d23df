/**
 * Error types shared by websocket error frames and HTTP error bodies.
 * Names follow the LiveChat RTM API where the meaning matches.
 */
export const ERROR_TYPES = [
  'validation',
  'authentication',
  'not_found',
  'too_many_requests',
  'request_timeout',
  'entity_too_large',
  'method_not_allowed',
  'internal',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

export interface ErrorBody {
  type: ErrorType;
  message: string;
}

/** A Set, not `ERROR_TYPES.includes`: a host page may break `Array.prototype` after the widget loaded. */
const ERROR_TYPE_SET: ReadonlySet<unknown> = new Set(ERROR_TYPES);

export function isErrorType(value: unknown): value is ErrorType {
  return ERROR_TYPE_SET.has(value);
}

/** Normal closure (RFC 6455). Also its own export, like the others the widget uses, so the bundle need not carry {@link CloseCode}. */
export const CLOSE_NORMAL = 1000;
/** Policy violation (RFC 6455): the only code after which the client does not reconnect. */
export const CLOSE_POLICY_VIOLATION = 1008;
/** No frame (not even a ping) from the peer within the heartbeat window. */
export const CLOSE_PING_TIMEOUT = 4002;

/**
 * Websocket close codes. 1000-1011 are RFC 6455's; 4000-4999 are ours.
 * The client reconnects after every code except those in {@link FINAL_CLOSE_CODES}.
 */
export const CloseCode = {
  Normal: CLOSE_NORMAL,
  GoingAway: 1001,
  PolicyViolation: CLOSE_POLICY_VIOLATION,
  MessageTooBig: 1009,
  Internal: 1011,
  /** No `login` within the login deadline. */
  LoginTimeout: 4001,
  /** No frame (not even a ping) from the peer within the heartbeat window. */
  PingTimeout: CLOSE_PING_TIMEOUT,
  /** The outbound buffer passed its limit: the client does not read (Centrifugo's "slow"). */
  SlowConsumer: 4003,
  /** Too many connections from this address or in total. */
  TooManyConnections: 4004,
  /** The chat was erased (`DELETE /api/v1/chats/{chatId}`): the next login starts a new chat. */
  ChatErased: 4005,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting would not help. */
export const FINAL_CLOSE_CODES: readonly number[] = [CLOSE_POLICY_VIOLATION];

/** True for a code in {@link FINAL_CLOSE_CODES} (a comparison, not `includes`: the host page may have replaced array methods). */
export const isFinalCloseCode = (code: number): boolean => code === CLOSE_POLICY_VIOLATION;
