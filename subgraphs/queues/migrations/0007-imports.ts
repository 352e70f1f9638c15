import { sql, type Kysely } from 'kysely';

/**
 * Imports (subgraphs/queues/imports): uploaded files, kept in PostgreSQL in 1 MiB chunks so that
 * any replica can run or resume the job; the jobs, with their counters and the last row whose
 * batch committed (where a resumed job goes on); and the reported rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table queues.import_files (
      id uuid primary key default gen_random_uuid(),
      file_name text,
      content_type text,
      bytes bigint not null default 0,
      -- False while the upload is still arriving: such a file cannot be imported, and is removed if the upload fails.
      complete boolean not null default false,
      created_by text not null,
      created_at timestamptz(3) not null default now()
    );

    create table queues.import_file_chunks (
      file_id uuid not null references queues.import_files (id) on delete cascade,
      seq integer not null,
      data bytea not null,
      primary key (file_id, seq)
    );
    -- CSV compresses well but pglz is slow: store the chunks as they are.
    alter table queues.import_file_chunks alter column data set storage external;

    create table queues.import_jobs (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('CUSTOMERS', 'ORDERS')),
      status text not null default 'QUEUED' check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
      -- mode, onError, delimiter, encoding, columns [{ column, field, index }], ignoredColumns.
      options jsonb not null,
      file_id uuid references queues.import_files (id) on delete set null,
      created_by text not null,
      created_at timestamptz(3) not null default now(),
      started_at timestamptz(3),
      finished_at timestamptz(3),
      -- The last data row whose batch has committed: a resumed job skips rows up to it.
      rows_done integer not null default 0,
      rows_inserted integer not null default 0,
      rows_updated integer not null default 0,
      rows_unchanged integer not null default 0,
      rows_rejected integer not null default 0,
      failure_code text,
      failure_message text,
      failure_row integer,
      cancel_requested boolean not null default false,
      leased_by text,
      leased_until timestamptz(3)
    );
    create index import_jobs_waiting_idx on queues.import_jobs (created_at) where status in ('QUEUED', 'RUNNING');
    create index import_jobs_finished_idx on queues.import_jobs (finished_at);

    create table queues.import_errors (
      job_id uuid not null references queues.import_jobs (id) on delete cascade,
      id bigint generated always as identity,
      row_number integer not null,
      column_name text,
      field text,
      code text not null,
      message text not null,
      primary key (job_id, id)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table queues.import_errors; drop table queues.import_jobs; drop table queues.import_file_chunks; drop table queues.import_files;`.execute(db);
}
