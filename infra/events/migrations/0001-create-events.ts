import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table events.events (
      id bigint generated always as identity primary key,
      type text not null,
      source text not null,
      subject_type text not null,
      subject_id text not null,
      occurred_at timestamptz(3) not null default now(),
      data jsonb not null,
      request_id text
    );
    create index events_subject_idx on events.events (subject_type, subject_id, id);
    create index events_occurred_at_idx on events.events (occurred_at);

    -- The highest id removed by retention: resuming after an older id would miss events.
    create table events.horizon (
      singleton boolean primary key default true check (singleton),
      pruned_through bigint not null default 0
    );
    insert into events.horizon default values;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table events.horizon; drop table events.events;`.execute(db);
}
