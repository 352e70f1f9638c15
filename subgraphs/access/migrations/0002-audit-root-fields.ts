import { sql, type Kysely } from 'kysely';

/**
 * Audit records say what an operation did (its root fields, not only the name the client gave
 * it), hold the client's request id beside the router's own, and cover cache purges and refused
 * WebSocket connections (`action`, with what a purge asked for in `detail`). Rows written before
 * this are operations.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table access.audit_records
      add column action text not null default 'operation',
      add column client_request_id text,
      add column root_fields text[] not null default '{}',
      add column detail jsonb;
    create index audit_records_root_fields_idx on access.audit_records using gin (root_fields);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index access.audit_records_root_fields_idx;
    alter table access.audit_records drop column action, drop column client_request_id, drop column root_fields, drop column detail;
  `.execute(db);
}
