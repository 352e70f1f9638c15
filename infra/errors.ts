import { GraphQLError } from 'graphql';

/**
 * The error codes clients can rely on, in `errors[].extensions.code`.
 * Documented in the README; never renamed.
 */
export enum ErrorCode {
  /** An argument or input field is invalid; `extensions.fields` lists each bad field. */
  BadUserInput = 'BAD_USER_INPUT',
  /** The entity named by an argument does not exist. */
  NotFound = 'NOT_FOUND',
  /** The change collides with existing data (a unique value, an idempotency key reused with other input). */
  Conflict = 'CONFLICT',
  /** The order's lifecycle does not allow this status change; `extensions.currentStatus` says where it is. */
  InvalidTransition = 'INVALID_TRANSITION',
  /** The queue holds its maxSize messages; nothing was published. */
  QueueFull = 'QUEUE_FULL',
  /** A receipt's visibility has ended (or a later delivery replaced it); nothing was acked or nacked. */
  ReceiptExpired = 'RECEIPT_EXPIRED',
  /** A receipt this hub did not issue; nothing was acked or nacked. */
  ReceiptInvalid = 'RECEIPT_INVALID',
  /** A service this request depends on did not answer; retrying later may succeed. */
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
  /** A subgraph failed to answer (down, refused the router, 5xx); its fields are null, the rest of the answer stands. `extensions.serviceName` names it. */
  SubgraphUnavailable = 'SUBGRAPH_UNAVAILABLE',
  /** A subgraph did not answer within its timeout, or the operation's deadline passed. */
  Timeout = 'TIMEOUT',
  /** A subgraph failed repeatedly and the router pauses calls to it for a while (its circuit is open); retry later. */
  CircuitOpen = 'CIRCUIT_OPEN',
  /** A subscription's `after` is older than the event retention; resubscribe without it. */
  EventsExpired = 'EVENTS_EXPIRED',
  /** A subscriber did not read its events fast enough and was cut off; resubscribe with `after`. */
  SlowConsumer = 'SLOW_CONSUMER',
  /** The operation is over one of the router's limits (depth, aliases, root fields, directives, tokens, cost); `extensions.limit` names it. */
  OperationLimitExceeded = 'OPERATION_LIMIT_EXCEEDED',
  /** The request carries no valid credentials (or, at a subgraph, no valid internal header from the router). */
  Unauthenticated = 'UNAUTHENTICATED',
  /** The caller lacks a scope the operation needs; `extensions.requiredScopes` names it. */
  Forbidden = 'FORBIDDEN',
  /** The caller, the operation or the router is over its rate limit; `extensions.retryAfter` is in seconds. */
  RateLimited = 'RATE_LIMITED',
  /** The router only runs the operations of its safelist, and this is not one of them. */
  PersistedQueryNotAllowed = 'PERSISTED_QUERY_NOT_ALLOWED',
  /** The HTTP request itself is malformed (not JSON, too large). */
  BadRequest = 'BAD_REQUEST',
  /** An inbound webhook (POST /webhooks/<source>) without its signature header: HTTP 401. */
  WebhookUnsigned = 'WEBHOOK_UNSIGNED',
  /** An inbound webhook whose signature does not match its body with the source's secret: HTTP 401. */
  WebhookSignatureInvalid = 'WEBHOOK_SIGNATURE_INVALID',
  /** An inbound webhook signed further in the past or future than the source's tolerance: HTTP 401. */
  WebhookTimestampStale = 'WEBHOOK_TIMESTAMP_STALE',
  /** An inbound webhook whose signature, id or timestamp header is malformed or missing: HTTP 400. */
  WebhookHeadersInvalid = 'WEBHOOK_HEADERS_INVALID',
  /** An inbound webhook whose body is not a JSON object (or, Stripe-style, has no `id`): HTTP 400. */
  WebhookBodyInvalid = 'WEBHOOK_BODY_INVALID',
  /** POST /webhooks/<source> for a source the hub does not have: HTTP 404. */
  WebhookSourceUnknown = 'WEBHOOK_SOURCE_UNKNOWN',
  /** POST /webhooks/<source> for a source an admin disabled: HTTP 404. */
  WebhookSourceDisabled = 'WEBHOOK_SOURCE_DISABLED',
  /** An inbound webhook body over 1 MiB: HTTP 413. */
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** An SAP system refused the request or reported an error (an OData error body, a SOAP fault, a BAPI RETURN of type E or A); `extensions.system` names it, `extensions.sap` carries SAP's code, message and details, `extensions.httpStatus` the status. */
  SapError = 'SAP_ERROR',
  /** An SAP entity changed since it was read: its ETag no longer matches (HTTP 412); read it again and reapply the change. */
  SapConflict = 'SAP_CONFLICT',
  /** An SAP system answered something that is not what its protocol promises (not JSON, no `d`, unreadable XML); `extensions.system` and `extensions.request` name the call. */
  SapBadResponse = 'SAP_BAD_RESPONSE',
  /** An SAP system did not answer (connection refused or reset, timeout, 502/503/504 after retries), its circuit is open, or its stateful session ended before the commit; `extensions.retriable` is true, `extensions.reason` says which. */
  SapUnavailable = 'SAP_UNAVAILABLE',
  /** An IDoc is not well-formed XML, lacks its control record or is of a type the hub does not read; `extensions.reason` says which. */
  IdocInvalid = 'IDOC_INVALID',
  /** An import file that cannot be read as CSV (binary, a spreadsheet, not in its encoding, a broken quote): HTTP 400, or a FAILED job when found mid-file; `extensions.row` when there is one. */
  ImportFileInvalid = 'IMPORT_FILE_INVALID',
  /** An import file's header does not fit its kind (a required column missing, a mapping naming no column or no field, a column twice); `extensions.field` names the field. */
  ImportColumnsInvalid = 'IMPORT_COLUMNS_INVALID',
  /** A FAILED import job's `failure.code` when onError STOP met a bad row: the rows before it were imported. */
  ImportStopped = 'IMPORT_STOPPED',
  /** Anything unexpected; the message is masked in production and the error logged with the request id. */
  InternalServerError = 'INTERNAL_SERVER_ERROR',
}

export interface FieldError {
  /** The input path, dot-separated: `email`, `lines.2.quantity`. */
  field: string;
  message: string;
}

export function badUserInput(fields: FieldError[], message?: string): GraphQLError {
  const summary = message ?? `Invalid input: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
  return new GraphQLError(summary, { extensions: { code: ErrorCode.BadUserInput, fields } });
}

export function notFound(typename: string, id: string): GraphQLError {
  return new GraphQLError(`${typename} ${id} does not exist`, {
    extensions: { code: ErrorCode.NotFound, typename, id },
  });
}

export function conflict(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Conflict, ...(field ? { field } : {}) } });
}

export function invalidTransition(currentStatus: string, requestedStatus: string): GraphQLError {
  return new GraphQLError(`An order in status ${currentStatus} cannot move to ${requestedStatus}`, {
    extensions: { code: ErrorCode.InvalidTransition, currentStatus, requestedStatus },
  });
}

export function dependencyUnavailable(service: string, cause?: unknown): GraphQLError {
  return new GraphQLError(`The ${service} service did not answer; try again later`, {
    extensions: { code: ErrorCode.DependencyUnavailable, service, retriable: true },
    originalError: cause instanceof Error ? cause : undefined,
  });
}

/** The body of an HTTP response that never reached GraphQL execution. */
export function httpErrorBody(message: string, code: ErrorCode, requestId: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, requestId } }] });
}
