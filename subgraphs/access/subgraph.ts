import { z } from 'zod';
import { domainSubgraphEnv, loadConfig, type ConfigOf } from '../../infra/config.js';
import type { SubgraphDescriptor } from '../../infra/graphql/subgraph-descriptor.js';

export const accessEnv = {
  ...domainSubgraphEnv(4003),
  /** Audit records older than this are pruned (hourly). */
  AUDIT_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(90),
};

export type AccessConfig = ConfigOf<typeof accessEnv>;

/** API keys and the audit log (admin only). */
export const access: SubgraphDescriptor<typeof accessEnv, 'access'> = {
  name: 'access',
  defaultPort: 4003,
  env: accessEnv,
  codegen: {
    context: 'AccessContext',
    mappers: {
      ApiKey: '../access-repository.js#ApiKeyRow',
      NewApiKey: '../access-service.js#IssuedApiKey',
      ApiKeyConnection: '../../../infra/db/pagination.js#Connection<ApiKeyRow>',
      AuditRecord: '../access-repository.js#AuditRecordRow',
      AuditRecordConnection: '../../../infra/db/pagination.js#Connection<AuditRecordRow>',
    },
  },
  start: async (env, deps) => (await import('./server.js')).start(loadConfig(accessEnv, env), deps),
};
