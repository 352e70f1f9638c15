import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../infra/db/embedded-postgres.js';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';

/**
 * `npm test`: finds the PostgreSQL server the tests use, then runs node's test runner.
 * - DATABASE_URL set: that server.
 * - CI=true: the machine's server at 127.0.0.1:5432; if it does not answer, the run fails.
 * - otherwise: a private embedded PostgreSQL in a temporary folder, removed afterwards.
 * Each test file creates and drops its own database on that server.
 * Redis (REDIS_URL, else 127.0.0.1:6379) is passed on as TEST_REDIS_URL when it answers.
 */
const CI_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function testFiles(args: string[]): string[] {
  if (args.length > 0) return args;
  const dir = fromRoot('test');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .sort()
    .map((file) => join('test', file));
}

let databaseUrl = process.env.DATABASE_URL;
let embedded: EmbeddedPostgresHandle | undefined;
let dataDir: string | undefined;

if (!databaseUrl && process.env.CI === 'true') databaseUrl = CI_DATABASE_URL;
if (databaseUrl) {
  if (!(await answers(databaseUrl))) {
    console.error(`PostgreSQL at ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')} does not answer; tests need a real PostgreSQL.`);
    process.exit(1);
  }
  console.log(`tests use PostgreSQL at ${new URL(databaseUrl).host}`);
} else {
  dataDir = mkdtempSync(join(tmpdir(), 'interchange-test-pg-'));
  try {
    embedded = await startEmbeddedPostgres({ dataDir, logger: createLogger('test-postgres', 'warn'), persistent: false });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  databaseUrl = embedded.url;
  console.log('tests use an embedded PostgreSQL (set DATABASE_URL to use another server)');
}

// Redis: the tests that need it run whenever it answers; under CI it must answer.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisAnswers = await (async () => {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
})();
if (redisAnswers) {
  console.log(`tests that need Redis use ${new URL(redisUrl).host}`);
} else if (process.env.CI === 'true') {
  console.error(`Redis at ${redisUrl} does not answer; under CI the Redis tests must run.`);
  await embedded?.stop();
  process.exit(1);
} else {
  console.log('Redis does not answer: the tests that need it are skipped (set REDIS_URL to run them)');
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles(process.argv.slice(2))], {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisAnswers ? redisUrl : '' },
});
const code = await new Promise<number>((resolveExit) => child.on('exit', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 1 : 0))));
await embedded?.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
