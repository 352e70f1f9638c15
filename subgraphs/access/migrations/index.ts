import type { Migration } from 'kysely';
import * as createAccess from './0001-create-access.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const accessMigrations: Record<string, Migration> = {
  '0001-create-access': createAccess,
};
