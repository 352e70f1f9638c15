import type { Migration } from 'kysely';
import * as createSap from './0001-create-sap.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const sapMigrations: Record<string, Migration> = {
  '0001-create-sap': createSap,
};
