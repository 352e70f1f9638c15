import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connect as amqpConnect } from 'amqplib';
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
 * Redis (REDIS_URL, else 127.0.0.1:6379) is passed on as TEST_REDIS_URL when it answers, RabbitMQ
 * (TEST_AMQP_URL, else guest:guest@127.0.0.1:5672) as TEST_AMQP_URL and NATS with JetStream
 * (TEST_NATS_URL, else 127.0.0.1:4222) as TEST_NATS_URL; under CI=true each of them must answer.
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

/**
 * A server that some tests need besides PostgreSQL: its URL (passed on to them) when it answers;
 * otherwise '' (those tests skip themselves), or, under CI=true, the run fails.
 */
async function optionalServer(name: string, url: string, setting: string, answers: (url: string) => Promise<boolean>): Promise<string> {
  if (await answers(url).catch(() => false)) {
    console.log(`tests that need ${name} use ${new URL(url).host}`);
    return url;
  }
  if (process.env.CI === 'true') {
    console.error(`${name} at ${url.replace(/\/\/[^@]*@/, '//***@')} does not answer; under CI the ${name} tests must run.`);
    await embedded?.stop();
    process.exit(1);
  }
  console.log(`${name} does not answer: the tests that need it are skipped (set ${setting} to run them)`);
  return '';
}

const redisUrl = await optionalServer('Redis', process.env.REDIS_URL || 'redis://127.0.0.1:6379', 'REDIS_URL', async (url) => {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } finally {
    redis.disconnect();
  }
});
const amqpUrl = await optionalServer('RabbitMQ', process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672', 'TEST_AMQP_URL', async (url) => {
  const connection = await amqpConnect(url, { timeout: 2_000 });
  connection.on('error', () => {});
  await connection.close();
  return true;
});
const natsUrl = await optionalServer('NATS JetStream', process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222', 'TEST_NATS_URL', async (url) => {
  const connection = await natsConnect({ servers: url, timeout: 2_000 });
  try {
    // Fails unless the server runs JetStream.
    await (await jetstreamManager(connection)).getAccountInfo();
    return true;
  } finally {
    await connection.close();
  }
});

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles(process.argv.slice(2))], {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl, TEST_AMQP_URL: amqpUrl, TEST_NATS_URL: natsUrl },
});
const code = await new Promise<number>((resolveExit) => child.on('exit', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 1 : 0))));
await embedded?.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
