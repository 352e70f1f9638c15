import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationTypeNode } from 'graphql';
import { auditPrincipal, type AuditRecord, type AuditSink } from '../audit/audit.js';
import { ErrorCode } from '../../infra/errors.js';
import type { RouterContext } from '../context.js';
import { rateLimitedError, type RateLimits } from '../limits/rate-limits.js';
import type { AccessRequirements } from './access-requirements.js';
import { accessDeniedError, authorizeOperation } from './authorize-operation.js';
import { rootFields } from '../../infra/graphql/root-fields.js';
import { notSafelistedError, type Safelist } from './safelist.js';

export interface OperationGuard {
  requirements: AccessRequirements;
  /** Undefined: no rate limits. */
  rateLimits: RateLimits | undefined;
  /** Undefined: every operation may run. */
  safelist: Safelist | undefined;
}

/**
 * The checks every operation passes, over HTTP and over graphql-ws, before anything is planned
 * or fetched, in this order: the safelist; the caller's own rate limit (refused requests count
 * too); the credentials; the schema's access rules for this caller; the limits callers share
 * (global, per operation), which only admitted operations count. Resolves with the error that refuses
 * the operation, or undefined to let it run.
 */
export async function guardOperation(
  guard: OperationGuard,
  context: RouterContext,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  queryHash?: string,
): Promise<GraphQLError | undefined> {
  if (guard.safelist && !guard.safelist.allows(queryHash, document)) return notSafelistedError();
  const subject = { principal: context.principal, clientIp: context.clientIp, operationName };
  const limitedClient = await guard.rateLimits?.checkClient(subject);
  if (limitedClient) return rateLimitedError(limitedClient);
  if (context.credentialsError) return context.credentialsError;
  const denials = authorizeOperation(guard.requirements, schema, document, operationName, context.principal);
  if (denials.length > 0) return accessDeniedError(denials, context.principal);
  const limitedShared = await guard.rateLimits?.checkShared(subject);
  return limitedShared && rateLimitedError(limitedShared);
}

/** Codes that mean the router refused the request rather than failed it. */
const DENIED = new Set<unknown>([ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.PersistedQueryNotAllowed, ErrorCode.OperationLimitExceeded]);

/**
 * Writes the audit record of an operation when it was a mutation or was refused; nothing else is
 * recorded. Holds no token, key, variables or response. The root fields come from `document`
 * (absent when it did not parse), as `schema` names its root types.
 */
export function auditOperation(
  sink: AuditSink,
  context: RouterContext,
  operation: {
    name: string | null | undefined;
    type: OperationTypeNode | undefined;
    errorCode: unknown;
    durationMs: number;
    schema: GraphQLSchema;
    document: DocumentNode | undefined;
  },
): void {
  const outcome: AuditRecord['outcome'] =
    operation.errorCode === undefined ? 'ok' : operation.errorCode === ErrorCode.RateLimited ? 'rate_limited' : DENIED.has(operation.errorCode) ? 'denied' : 'error';
  if (operation.type !== 'mutation' && outcome !== 'denied' && outcome !== 'rate_limited') return;
  sink.record({
    at: new Date(),
    action: 'operation',
    requestId: context.requestId,
    clientRequestId: context.clientRequestId ?? null,
    principal: auditPrincipal(context.principal),
    clientIp: context.clientIp,
    operationName: operation.name ?? null,
    operationType: operation.type ?? null,
    rootFields: operation.document ? rootFields(operation.schema, operation.document, operation.name) : [],
    outcome,
    code: typeof operation.errorCode === 'string' ? operation.errorCode : null,
    durationMs: Math.round(operation.durationMs),
  });
}

/** The guard and the audit trail as an Apollo Server plugin: the guard runs in didResolveOperation. */
export function securityPlugin(guard: OperationGuard, audit: AuditSink): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation({ contextValue, schema, document, operationName, queryHash }) {
          const refused = contextValue.guarded ? contextValue.guarded.refused : await guardOperation(guard, contextValue, schema, document, operationName, queryHash);
          if (refused) throw refused;
        },
        async willSendResponse({ contextValue, schema, document, operation, operationName, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          auditOperation(audit, contextValue, {
            name: operationName,
            type: operation?.operation,
            errorCode: errors?.[0]?.extensions?.code,
            durationMs: performance.now() - started,
            schema,
            document,
          });
        },
      };
    },
  };
}
