import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, positiveInt } from '../../../infra/config.js';
import { allowedHostsSetting } from '../../../infra/http/outbound-http.js';

/**
 * Polling sources: REST endpoints the hub reads changed customers from on a schedule
 * (POLL_SOURCES, or POLL_SOURCES_FILE naming a file with the same JSON). The JSON never holds a
 * secret: a header's value names the environment variable that holds it, `{"env": "CRM_AUTH"}`,
 * read once at start-up. A bad source stops the start with a ConfigError naming the variable,
 * the source and the field, and never showing the JSON itself (which a mistaken literal secret
 * could be part of).
 */

/** The UpsertCustomerInput fields a source maps, besides the externalId argument. */
export const MAPPED_FIELDS = ['externalId', 'name', 'email', 'phone', 'customerGroup', 'creditLimit', 'tier'] as const;

export type MappedField = (typeof MAPPED_FIELDS)[number];

/** One source as start-up resolved it: defaults applied, header values read from their variables. Frozen. */
export interface PollSource {
  /** `[a-z0-9_]`, 1 to 63 characters: the GraphQL name and the idempotency keys' prefix. */
  name: string;
  /** http(s), without credentials; the watermark and page size are added to its query. */
  url: string;
  intervalSeconds: number;
  /** The query parameter the watermark is sent in: the source answers items changed at or after it, oldest first. */
  watermarkParam: string;
  /** Dot path, in an item, to its change time or sequence: the page's greatest is the next watermark. */
  watermarkField: string;
  /** The first round's watermark; undefined: the first request has no watermark parameter (everything). */
  initialWatermark: string | undefined;
  /** Dot path to the items' array in the answer; undefined: the answer is the array. */
  itemsPath: string | undefined;
  pageSize: number;
  pageSizeParam: string;
  /** Items of a page applied through the router at once. */
  concurrency: number;
  /** Header name to value (secrets: never logged, never answered). */
  headers: Readonly<Record<string, string>>;
  /** Hub field to the dot path of its value in an item; externalId, name and email always. */
  mapping: Readonly<Partial<Record<MappedField, string>>> & { readonly externalId: string; readonly name: string; readonly email: string };
}

/** What the polling connector reads, spread into the queues subgraph's environment. */
export const pollingEnv = {
  /** A JSON array of sources (see PollSource; checked by pollSourcesOf, not here, so that the JSON is never echoed). */
  POLL_SOURCES: z.string().optional(),
  /** A file holding that JSON array instead (mounted configuration); not both. */
  POLL_SOURCES_FILE: z.string().optional(),
  /**
   * Hosts (as written in a source's URL, no port) that polling may reach although they are
   * loopback, private or link-local addresses: comma-separated, default none. A CRM on the
   * internal network needs its host here (see infra/http/outbound-http.ts).
   */
  POLL_ALLOWED_HOSTS: allowedHostsSetting,
  /** One request to a source, from the connection to the end of its body (redirects included). */
  POLL_TIMEOUT_MS: positiveInt(30_000, 600_000),
  /** The largest answer a source may give, in bytes (default 16 MiB). */
  POLL_MAX_RESPONSE_BYTES: positiveInt(16 * 1024 * 1024, 1024 * 1024 * 1024),
};

const dotPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a dot path such as data.items');
const parameter = z.string().regex(/^[A-Za-z0-9_.[\]-]{1,100}$/, 'must be a query parameter name (letters, digits, _ . - [ ])');

const url = z.string().superRefine((value, ctx) => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
  else if (parsed.username || parsed.password) ctx.addIssue({ code: 'custom', message: 'must not hold credentials: send them in a header whose value names an environment variable' });
});

const header = z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }, {
  error: 'must be {"env": "VARIABLE"}, naming the environment variable that holds the value: a secret is never written in the sources',
}).strict();

const sourceSpec = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,63}$/, 'must be 1 to 63 characters of a-z, 0-9 and _'),
    url,
    intervalSeconds: z.number().int().min(1).max(86_400).default(60),
    watermarkParam: parameter.default('updated_since'),
    watermarkField: dotPath.default('updatedAt'),
    initialWatermark: z.union([z.string().min(1), z.number()]).transform(String).optional(),
    itemsPath: dotPath.optional(),
    pageSize: z.number().int().min(1).max(1_000).default(100),
    pageSizeParam: parameter.default('limit'),
    concurrency: z.number().int().min(1).max(32).default(4),
    headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'), header).default({}),
    mapping: z
      .object({
        externalId: dotPath,
        name: dotPath,
        email: dotPath,
        phone: dotPath.optional(),
        customerGroup: dotPath.optional(),
        creditLimit: dotPath.optional(),
        tier: dotPath.optional(),
      })
      .strict(),
  })
  .strict();

type SourceSpec = z.output<typeof sourceSpec>;

/** Problems of one variable's JSON, each naming the source and field. */
function parseSources(text: string): { specs: SourceSpec[]; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { specs: [], problems: [`is not JSON: ${(error as Error).message}`] };
  }
  if (!Array.isArray(json)) return { specs: [], problems: ['must be a JSON array of sources'] };
  const specs: SourceSpec[] = [];
  const problems: string[] = [];
  json.forEach((entry: unknown, index) => {
    const named = entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : undefined;
    const which = named === undefined ? `source ${index}` : `source ${JSON.stringify(named)}`;
    const result = sourceSpec.safeParse(entry);
    if (result.success) specs.push(result.data);
    else for (const issue of result.error.issues) problems.push(`${which}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  });
  const seen = new Set<string>();
  for (const { name } of specs) {
    if (seen.has(name)) problems.push(`source ${JSON.stringify(name)}: name: is used by two sources`);
    seen.add(name);
  }
  return { specs, problems };
}

/**
 * The sources of POLL_SOURCES or POLL_SOURCES_FILE, with each header's value read from `env`;
 * none when neither is set. Throws one ConfigError listing every problem.
 */
export function pollSourcesOf(config: { POLL_SOURCES?: string | undefined; POLL_SOURCES_FILE?: string | undefined }, env: Readonly<Record<string, string | undefined>>): readonly PollSource[] {
  const fail = (lines: string[]) => new ConfigError(`Invalid configuration:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  if (config.POLL_SOURCES !== undefined && config.POLL_SOURCES_FILE !== undefined) throw fail(['POLL_SOURCES, POLL_SOURCES_FILE: set one of them, not both']);
  let variable: string;
  let text: string;
  if (config.POLL_SOURCES_FILE !== undefined) {
    variable = 'POLL_SOURCES_FILE';
    try {
      text = readFileSync(config.POLL_SOURCES_FILE, 'utf8');
    } catch (error) {
      throw fail([`POLL_SOURCES_FILE=${JSON.stringify(config.POLL_SOURCES_FILE)}: cannot be read: ${(error as Error).message}`]);
    }
  } else if (config.POLL_SOURCES !== undefined) {
    variable = 'POLL_SOURCES';
    text = config.POLL_SOURCES;
  } else {
    return Object.freeze([]);
  }
  const { specs, problems } = parseSources(text);
  const sources = specs.map((spec): PollSource => {
    const headers: Record<string, string> = {};
    for (const [name, { env: from }] of Object.entries(spec.headers)) {
      const value = env[from];
      if (value === undefined || value === '') problems.push(`source ${JSON.stringify(spec.name)}: headers.${name}: the variable ${from} is not set`);
      else headers[name] = value;
    }
    return Object.freeze({ ...spec, initialWatermark: spec.initialWatermark, itemsPath: spec.itemsPath, headers: Object.freeze(headers), mapping: Object.freeze({ ...spec.mapping }) });
  });
  if (problems.length > 0) throw fail(problems.map((problem) => `${variable}: ${problem}`));
  return Object.freeze(sources);
}
