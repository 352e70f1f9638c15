import type { Migration } from 'kysely';
import * as createAccess from './0001-create-access.js';
import * as auditRootFields from './0002-audit-root-fields.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const accessMigrations: Record<string, Migration> = {
  '0001-create-access': createAccess,
  '0002-audit-root-fields': auditRootFields,
};
