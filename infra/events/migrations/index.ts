import type { Migration } from 'kysely';
import * as createEvents from './0001-create-events.js';
import * as createCursors from './0002-create-cursors.js';

export const eventsMigrations: Record<string, Migration> = {
  '0001-create-events': createEvents,
  '0002-create-cursors': createCursors,
};
