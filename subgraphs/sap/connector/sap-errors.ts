import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../infra/errors.js';

/**
 * The errors SAP calls end in, as GraphQL errors with a stable code: SAP_ERROR (SAP said no),
 * SAP_CONFLICT (stale ETag), SAP_BAD_RESPONSE (SAP said something unreadable), SAP_UNAVAILABLE
 * (SAP did not answer) and IDOC_INVALID. Messages and extensions name the system and the call
 * (method and path, never a query string, a header or a credential).
 */

/** One call, as errors name it: `POST /sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`. */
export interface SapCall {
  readonly method: string;
  /** Path only: no query string, no credentials. */
  readonly path: string;
}

export const describeCall = (call: SapCall) => `${call.method} ${call.path}`;

/** An entry of an OData error's `innererror.errordetails`. */
export interface SapErrorDetail {
  code: string;
  message: string;
  severity: string | null;
  target: string | null;
}

/** A message of a BAPI RETURN (BAPIRET2 and its older cousins). */
export interface BapiMessage {
  /** S success, I information, W warning, E error, A abort. */
  type: string;
  id: string;
  number: string;
  message: string;
  /** The field the message is about, when SAP names one. */
  field: string | null;
}

export interface SapErrorBody {
  /** SAP's message class and number (`SY/530`, `BP/010`) or a SOAP fault code; null when SAP gave none. */
  code: string | null;
  message: string;
  /** OData error details. */
  details?: SapErrorDetail[];
  /** RFC: every message of the BAPI RETURN. */
  messages?: BapiMessage[];
  /** RFC: the function module called. */
  function?: string;
  /** RFC: a SOAP fault's detail, as text. */
  detail?: string;
}

export function sapError(system: string, call: SapCall, httpStatus: number, sap: SapErrorBody): GraphQLError {
  const code = sap.code ? ` [${sap.code}]` : '';
  return new GraphQLError(`SAP system ${system} refused ${describeCall(call)}: ${sap.message}${code}`, {
    extensions: { code: ErrorCode.SapError, system, sap, httpStatus, request: describeCall(call) },
  });
}

export function sapConflict(system: string, call: SapCall, sap: SapErrorBody | null): GraphQLError {
  return new GraphQLError(`The SAP entity changed since it was read (${describeCall(call)} on ${system}): read it again and reapply the change`, {
    extensions: { code: ErrorCode.SapConflict, system, httpStatus: 412, request: describeCall(call), ...(sap ? { sap } : {}) },
  });
}

export function sapBadResponse(system: string, call: SapCall, reason: string, cause?: unknown): GraphQLError {
  return new GraphQLError(`SAP system ${system} answered ${describeCall(call)} with something unreadable: ${reason}`, {
    originalError: cause instanceof Error ? cause : undefined,
    extensions: { code: ErrorCode.SapBadResponse, system, request: describeCall(call), reason },
  });
}

export function sapUnavailable(system: string, reason: string, options: { httpStatus?: number; cause?: unknown } = {}): GraphQLError {
  return new GraphQLError(`SAP system ${system} is unavailable (${reason}); try again later`, {
    originalError: options.cause instanceof Error ? options.cause : undefined,
    extensions: {
      code: ErrorCode.SapUnavailable,
      system,
      retriable: true,
      reason,
      ...(options.httpStatus === undefined ? {} : { httpStatus: options.httpStatus }),
    },
  });
}

export function idocInvalid(reason: string): GraphQLError {
  return new GraphQLError(`Invalid IDoc: ${reason}`, { extensions: { code: ErrorCode.IdocInvalid, reason } });
}

/** True for a GraphQL error with the code `code`. */
export function hasCode(error: unknown, code: ErrorCode): error is GraphQLError {
  return error instanceof GraphQLError && error.extensions.code === code;
}
