import type { Migration } from 'kysely';
import * as createHealth from './0001-create-health.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const healthMigrations: Record<string, Migration> = {
  '0001-create-health': createHealth,
};
