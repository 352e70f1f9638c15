import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table access.api_keys (
      id text primary key check (id ~ '^key_[0-9a-f]{20}$'),
      name text not null check (char_length(name) between 1 and 100),
      roles text[] not null default '{}',
      scopes text[] not null default '{}',
      -- scrypt$N$r$p$salt$hash: the secret itself is never stored.
      secret_hash text not null,
      created_at timestamptz(3) not null default now(),
      expires_at timestamptz(3),
      revoked_at timestamptz(3),
      usage_count bigint not null default 0,
      last_used_at timestamptz(3),
      rotated_from text references access.api_keys (id)
    );
    create index api_keys_page_idx on access.api_keys (created_at desc, id desc);

    create table access.audit_records (
      id bigint generated always as identity primary key,
      at timestamptz(3) not null,
      request_id text not null,
      principal text,
      client_ip text,
      operation_name text,
      operation_type text,
      outcome text not null,
      code text,
      duration_ms integer not null
    );
    create index audit_records_at_idx on access.audit_records (at desc, id desc);
    create index audit_records_principal_idx on access.audit_records (principal, at desc);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table access.audit_records; drop table access.api_keys;`.execute(db);
}
