import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table queues.queues drop constraint queues_delivery_mode_check;
    alter table queues.queues add constraint queues_delivery_mode_check
      check (delivery_mode in ('AT_LEAST_ONCE', 'AT_MOST_ONCE', 'EFFECTIVELY_ONCE'));

    -- A topic fans out what is published to it: one copy to each consumer group's queue.
    create table queues.topics (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (name ~ '^[a-z0-9][a-z0-9_-]{0,30}$'),
      created_at timestamptz(3) not null default now()
    );
    create table queues.topic_groups (
      topic_id uuid not null references queues.topics (id) on delete cascade,
      name text not null check (name ~ '^[a-z0-9][a-z0-9_-]{0,30}$'),
      -- The group's own queue, named <topic>.<group>; deleting the topic or the group deletes it.
      queue_id uuid not null unique references queues.queues (id),
      created_at timestamptz(3) not null default now(),
      primary key (topic_id, name)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table queues.topic_groups; drop table queues.topics;
    alter table queues.queues drop constraint queues_delivery_mode_check;
    alter table queues.queues add constraint queues_delivery_mode_check check (delivery_mode in ('AT_LEAST_ONCE', 'AT_MOST_ONCE'));
  `.execute(db);
}
