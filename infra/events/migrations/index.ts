import type { Migration } from 'kysely';
import * as createEvents from './0001-create-events.js';

export const eventsMigrations: Record<string, Migration> = {
  '0001-create-events': createEvents,
};
