import { isApiKeyId } from '../../infra/auth/api-keys.js';
import { connectionResolvers, pageRequest, toConnection } from '../../infra/db/pagination.js';
import { DateTimeScalar, JSONScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { effectiveScopes } from './access-service.js';

const isAuditId = (id: string) => /^\d{1,19}$/.test(id);

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  ApiKeyConnection: connectionResolvers,
  AuditRecordConnection: connectionResolvers,
  Query: {
    apiKey: async (_parent, { id }, { repository }) => (isApiKeyId(id) ? ((await repository.findKey(id)) ?? null) : null),
    apiKeys: async (_parent, { first, after, includeRevoked }, { repository }) => {
      const page = pageRequest({ first, after }, '', isApiKeyId);
      const rows = await repository.listKeys(includeRevoked ?? false, page);
      return toConnection(rows, page.first, () => repository.countKeys(includeRevoked ?? false));
    },
    auditRecords: async (_parent, { filter, first, after }, { repository }) => {
      const page = pageRequest({ first, after }, '', isAuditId);
      const criteria = {
        ...filter,
        since: filter?.since ? new Date(filter.since) : null,
        until: filter?.until ? new Date(filter.until) : null,
      };
      const rows = await repository.listAuditRecords(criteria, page);
      return toConnection(rows, page.first, () => repository.countAuditRecords(criteria));
    },
  },
  Mutation: {
    createApiKey: (_parent, { input }, { access, requestId }) => access.create(input, requestId),
    rotateApiKey: (_parent, { id }, { access, requestId }) => access.rotate(id, requestId),
    revokeApiKey: (_parent, { id }, { access, requestId }) => access.revoke(id, requestId),
    updateApiKey: (_parent, { id, input }, { access, requestId }) => access.update(id, input, requestId),
  },
  ApiKey: {
    scopes: (row) => effectiveScopes(row),
    status: (row) => (row.revokedAt ? 'REVOKED' : row.expiresAt && row.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : 'ACTIVE'),
    usageCount: (row) => Number(row.usageCount),
  },
};
