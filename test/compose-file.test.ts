import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { ZodRawShape } from 'zod';
import { loadConfig, SECRET_VARIABLES, subgraphUrlVariable } from '../infra/config.js';
import { routerEnv } from '../router/config.js';
import { fromRoot, projectRoot } from '../infra/paths.js';
import { readSupergraph, subgraphUrlsFromEnv } from '../router/supergraph.js';
import { SUBGRAPHS } from '../subgraphs/index.js';

/**
 * Keeps docker-compose.yml honest: every app service runs an entry point that exists, sets only
 * the variables its config shape reads (and values that config accepts), listens where it says,
 * and reaches the other services by their compose names and ports. Needs no Docker engine.
 */

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number | string; published?: number | string })[];
  expose?: (string | number)[];
  healthcheck?: { test?: string | string[] };
  depends_on?: string[] | Record<string, { condition?: string }>;
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** The services built from the Dockerfile, the source each runs and the config shape it reads: every subgraph of the list, and the router. */
const apps: Record<string, { entry: string; shape: ZodRawShape; nodeArgs?: readonly string[] }> = {
  ...Object.fromEntries(SUBGRAPHS.map(({ name, env, nodeArgs }) => [name, { entry: `subgraphs/${name}/index`, shape: env, nodeArgs }])),
  router: { entry: 'router/index', shape: routerEnv },
};

const POSTGRES_SERVICE = 'postgres';

const composeText = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as ComposeFile;
const supergraph = readSupergraph(fromRoot('schema/supergraph.graphql'));

/** The variables compose must take from the operator, never from a default: the apps' secrets and the database password. */
const COMPOSE_SECRETS: readonly string[] = [...SECRET_VARIABLES, 'POSTGRES_PASSWORD'];

/**
 * What an operator sets (the file has no default for a secret): long enough, not a published
 * trial value and different from each other, as NODE_ENV=production requires.
 */
const OPERATOR_ENV: Readonly<Record<string, string>> = Object.freeze({
  POSTGRES_PASSWORD: 'composetest0123456789',
  INTERNAL_TOKEN_SECRET: 'compose-test-internal-token-secret-0123456789',
  JWT_SECRET: 'compose-test-jwt-secret-0123456789-abcdefghij',
});

/**
 * Compose's `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`,
 * `$NAME` and `$$`, resolved as on a machine that sets only OPERATOR_ENV, so that the file is
 * checked as shipped. A required variable that is not set throws, as compose refuses it.
 */
function interpolate(value: string): string {
  const substitution = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$(?!\{)([A-Za-z_][A-Za-z0-9_]*)|\$\{[^}]*\}/g;
  return value.replace(substitution, (match, braced?: string, operator?: string, word?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = braced ?? bare;
    if (name === undefined) throw new Error(`this test cannot interpolate ${match}`);
    const set = OPERATOR_ENV[name];
    const missing = operator?.startsWith(':') ? !set : set === undefined;
    if (!missing) return set ?? '';
    if (operator?.endsWith('?')) throw new Error(`${name} is required: ${word}`);
    return operator ? word ?? '' : '';
  });
}

function service(name: string): ComposeService {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

/** A service's environment as written, before interpolation. */
function rawEnvironment(definition: ComposeService): Record<string, string> {
  const raw = definition.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((line): [string, string] => {
        const at = line.indexOf('=');
        return at === -1 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(raw).map(([key, value]): [string, string] => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

function environment(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(service(name))).map(([key, value]) => [key, interpolate(value)]));
}

/** Runs Debian's docker-compose (v1) `config -q` on the file with `env` (and no .env file); undefined when it is not installed. */
function composeConfig(env: Record<string, string>): SpawnSyncReturns<string> | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'interchange-compose-'));
  try {
    const envFile = join(dir, 'env');
    writeFileSync(envFile, '');
    // Only PATH from this process: a secret set in the shell that runs the tests must not stand in for one the file lacks.
    const result = spawnSync('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
    assert.ifError(result.error);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function skipWithoutDockerCompose(t: { skip(message: string): void }): void {
  if (process.env.CI === 'true') assert.fail('docker-compose is not on PATH; CI must validate docker-compose.yml with it');
  t.skip('docker-compose is not on PATH');
}

function config(name: string): Readonly<Record<string, unknown>> {
  const app = apps[name];
  assert.ok(app, `${name} is not an app service`);
  return loadConfig(app.shape, environment(name));
}

function port(name: string): number {
  const value = config(name).PORT;
  assert.equal(typeof value, 'number');
  return value as number;
}

/** Container-side ports, from `expose` and from the target of each `ports` entry. */
function containerPorts(definition: ComposeService): number[] {
  const exposed = (definition.expose ?? []).map((entry) => Number(String(entry).split('/')[0]));
  const published = (definition.ports ?? []).map((entry) => {
    if (typeof entry === 'object') return Number(entry.target);
    const withoutProtocol = String(entry).split('/')[0] ?? '';
    return Number(withoutProtocol.split(':').at(-1));
  });
  return [...exposed, ...published];
}

function dependsOn(definition: ComposeService): Record<string, { condition?: string }> {
  const raw = definition.depends_on ?? {};
  return Array.isArray(raw) ? Object.fromEntries(raw.map((target) => [target, {}])) : raw;
}

function commandWords(definition: ComposeService): string[] {
  const command = definition.command;
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.trim().split(/\s+/);
}

/** The app service that runs the given subgraph's entry point. */
function serviceRunningSubgraph(subgraph: string): string {
  const entry = `subgraphs/${subgraph}/index`;
  const name = Object.keys(apps).find((candidate) => apps[candidate]?.entry === entry);
  assert.ok(name, `no app service runs ${entry}`);
  return name;
}

/** Asserts that `url` is http://<service>:<that service's PORT>/graphql. */
function assertPointsAtSubgraph(variable: string, url: string | undefined, subgraph: string): void {
  assert.ok(url, `${variable} is not set`);
  const target = serviceRunningSubgraph(subgraph);
  const parsed = new URL(url);
  assert.equal(parsed.hostname, target, `${variable} must name the ${target} service`);
  assert.equal(Number(parsed.port), port(target), `${variable} must use the ${target} service's PORT`);
  assert.equal(parsed.pathname, '/graphql', `${variable} must point at /graphql`);
}

/** Compose durations such as `15s`, `1m30s`, `500ms`. */
function durationMs(value: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  assert.ok(parts.length > 0 && parts.map((part) => part[0]).join('') === value, `${value} is not a compose duration`);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * (units[unit ?? ''] ?? NaN), 0);
}

describe('docker-compose.yml', () => {
  it('builds exactly the router and a service per subgraph from the Dockerfile', () => {
    const built = Object.entries(compose.services)
      .filter(([, definition]) => definition.build !== undefined)
      .map(([name]) => name)
      .sort();
    assert.deepEqual(built, Object.keys(apps).sort());
  });

  for (const [name, app] of Object.entries(apps)) {
    describe(`the ${name} service`, () => {
      it(`runs the compiled ${app.entry}.ts, which exists in the source tree`, () => {
        assert.deepEqual(commandWords(service(name)), ['node', ...(app.nodeArgs ?? []), `dist/${app.entry}.js`]);
        assert.ok(existsSync(fromRoot(`${app.entry}.ts`)), `${app.entry}.ts does not exist`);
      });

      it('sets only variables that its configuration reads', () => {
        const declared = new Set(Object.keys(app.shape));
        if (name === 'router') for (const subgraph of supergraph.subgraphs) declared.add(subgraphUrlVariable(subgraph.name));
        const unknown = Object.keys(environment(name)).filter((key) => !declared.has(key));
        assert.deepEqual(unknown, [], `${name} sets variables no code reads`);
      });

      it('has an environment that its configuration accepts', () => {
        assert.doesNotThrow(() => config(name));
        if (name === 'router') assert.doesNotThrow(() => subgraphUrlsFromEnv(supergraph.subgraphs, environment(name)));
      });

      it('exposes the port it listens on and checks its own readiness there', () => {
        const listening = port(name);
        const ports = containerPorts(service(name));
        assert.ok(ports.length > 0, `${name} neither exposes nor publishes a port`);
        for (const containerPort of ports) assert.equal(containerPort, listening, `${name} exposes ${containerPort} but listens on ${listening}`);

        const test = service(name).healthcheck?.test;
        assert.ok(test, `${name} has no healthcheck`);
        const command = Array.isArray(test) ? test.join(' ') : test;
        const probed = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/ready\b/.exec(command);
        assert.ok(probed, `${name}'s healthcheck does not ask /ready`);
        assert.equal(Number(probed[1]), listening, `${name}'s healthcheck probes port ${probed[1]} but the service listens on ${listening}`);
      });

      it('waits for every service it depends on to be healthy', () => {
        for (const [target, { condition }] of Object.entries(dependsOn(service(name)))) {
          assert.ok(compose.services[target], `${name} depends on ${target}, which is not a service`);
          assert.equal(condition, 'service_healthy', `${name} must wait for ${target} to be healthy`);
          assert.ok(compose.services[target]?.healthcheck?.test, `${name} waits for ${target} to be healthy, but ${target} has no healthcheck`);
        }
      });

      it('gives in-flight requests time to drain before it is killed', () => {
        const grace = durationMs(service(name).stop_grace_period ?? '10s');
        const drain = config(name).SHUTDOWN_TIMEOUT_MS as number;
        assert.ok(grace > drain, `stop_grace_period (${grace} ms) must exceed SHUTDOWN_TIMEOUT_MS (${drain} ms)`);
      });
    });
  }

  it('points orders at the customers subgraph on its port', () => {
    assertPointsAtSubgraph('CUSTOMERS_URL', environment('orders').CUSTOMERS_URL, 'customers');
  });

  it('gives the router a URL override for every subgraph in the supergraph', () => {
    const env = environment('router');
    const missing = supergraph.subgraphs.map((subgraph) => subgraphUrlVariable(subgraph.name)).filter((variable) => !env[variable]);
    assert.deepEqual(missing, [], 'the router would call the supergraph URLs (localhost) for these');
  });

  it("points each of the router's overrides at the service that runs that subgraph, on its port", () => {
    const env = environment('router');
    for (const subgraph of supergraph.subgraphs) {
      const variable = subgraphUrlVariable(subgraph.name);
      assertPointsAtSubgraph(variable, env[variable], subgraph.name);
    }
  });

  it("connects DATABASE_URL to the postgres service with that service's user, password and database", () => {
    const postgres = environment(POSTGRES_SERVICE);
    const users = Object.keys(apps).filter((name) => 'DATABASE_URL' in apps[name]!.shape);
    assert.ok(users.length > 0);
    for (const name of users) {
      const url = new URL(environment(name).DATABASE_URL ?? '');
      assert.equal(url.hostname, POSTGRES_SERVICE, `${name}'s DATABASE_URL must name the ${POSTGRES_SERVICE} service`);
      assert.ok(url.port === '' || url.port === '5432', `${name}'s DATABASE_URL must use port 5432`);
      assert.equal(decodeURIComponent(url.username), postgres.POSTGRES_USER ?? 'postgres', `${name}'s DATABASE_URL user`);
      assert.equal(decodeURIComponent(url.password), postgres.POSTGRES_PASSWORD, `${name}'s DATABASE_URL password`);
      assert.equal(url.pathname, `/${postgres.POSTGRES_DB ?? postgres.POSTGRES_USER ?? 'postgres'}`, `${name}'s DATABASE_URL database`);
    }
  });

  it('starts each service after the services it calls', () => {
    for (const name of Object.keys(apps)) {
      const env = environment(name);
      const called = Object.entries(env)
        .filter(([key]) => key === 'DATABASE_URL' || key === 'REDIS_URL' || key === 'CUSTOMERS_URL' || /^SUBGRAPH_.+_URL$/.test(key))
        .map(([, url]) => new URL(url).hostname);
      const waitsFor = Object.keys(dependsOn(service(name)));
      for (const host of called) assert.ok(waitsFor.includes(host), `${name} calls ${host} but does not depend on it`);
    }
  });

  it('gives the router and every subgraph the same INTERNAL_TOKEN_SECRET', () => {
    const secrets = new Set(Object.keys(apps).map((name) => environment(name).INTERNAL_TOKEN_SECRET));
    assert.equal(secrets.size, 1, 'the router signs the internal header with the secret every subgraph checks it with');
    assert.ok([...secrets][0], 'INTERNAL_TOKEN_SECRET is not set');
  });

  it('publishes only the router, so that clients go through it', () => {
    const published = Object.entries(compose.services)
      .filter(([, definition]) => (definition.ports ?? []).length > 0)
      .map(([name]) => name);
    assert.deepEqual(published, ['router']);
  });

  it('gives no secret a default: every one is required from the environment', () => {
    const substitutions = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?/g)];
    for (const secret of COMPOSE_SECRETS) {
      const uses = substitutions.filter(([, name]) => name === secret);
      assert.ok(uses.length > 0, `docker-compose.yml never reads ${secret} from the environment`);
      for (const [use, , operator] of uses) assert.equal(operator, ':?', `${use}...: ${secret} must be required (\${${secret}:?message}), with no default`);
    }
    for (const [name, definition] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(rawEnvironment(definition))) {
        if (COMPOSE_SECRETS.includes(key)) assert.match(value, /^\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]+\}$/, `${name} sets ${key} to something other than a required variable`);
      }
    }
  });

  it('is accepted by docker-compose config once the secrets are set', (t) => {
    const result = composeConfig({ ...OPERATOR_ENV });
    if (!result) return skipWithoutDockerCompose(t);
    assert.equal(result.status, 0, `docker-compose config failed:\n${result.stderr}`);
  });

  it('is refused by docker-compose config while any secret is unset, with a message naming it', (t) => {
    for (const secret of COMPOSE_SECRETS) {
      const { [secret]: _unset, ...rest } = OPERATOR_ENV;
      const result = composeConfig(rest);
      if (!result) return skipWithoutDockerCompose(t);
      assert.notEqual(result.status, 0, `docker-compose config accepted the file without ${secret}`);
      assert.match(result.stderr, new RegExp(`set ${secret}`));
    }
  });
});
