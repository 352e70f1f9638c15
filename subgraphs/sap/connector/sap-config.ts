import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';
import { ConfigError, httpUrl, positiveInt, shownValue } from '../../../infra/config.js';

/**
 * The SAP systems the hub talks to, read from the environment once at start-up, validated and
 * frozen. `SAP_SYSTEMS` lists the ids; each id has its own `SAP_<ID>_*` variables (see
 * SAP_VARIABLE_PATTERNS). Files named by `*_FILE` variables are read here, once.
 */

export type SapSystemType = 'ERP' | 'S4HANA' | 'BW' | 'CRM' | 'OTHER';

/**
 * A secret value (a password, a client secret, a private key). It shows as `(hidden)` when it
 * is logged, printed or serialised to JSON, so that logging a configuration leaks nothing;
 * `reveal()` is called where the value is put on the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '(hidden)';
  }

  toJSON(): string {
    return '(hidden)';
  }

  [inspect.custom](): string {
    return '(hidden)';
  }
}

export type SapAuthConfig =
  | { readonly kind: 'basic'; readonly user: string; readonly password: Secret }
  | {
      readonly kind: 'oauth2';
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: Secret;
      /** Space-separated scopes asked for; null asks for none (the client's defaults). */
      readonly scope: string | null;
    }
  /** Only the TLS client certificate (`tls`) identifies the hub. */
  | { readonly kind: 'certificate' };

/** PEM contents of the files, not their paths. */
export interface SapTlsConfig {
  readonly cert: string | null;
  readonly key: Secret | null;
  readonly ca: string | null;
  readonly passphrase: Secret | null;
}

export interface SapServicePaths {
  /** OData v2 service roots, beginning with `/`, without a trailing slash. */
  readonly businessPartner: string;
  readonly product: string;
  readonly salesOrder: string;
  /** The SOAP-RFC ICF service. */
  readonly rfc: string;
  /** The IDoc-XML inbound ICF service. */
  readonly idoc: string;
}

/** The control record's partner fields for IDocs the hub sends (it is the sender, SAP the receiver); partner types are LS. */
export interface SapIdocPartners {
  readonly senderPort: string;
  readonly senderPartner: string;
  readonly receiverPort: string;
  readonly receiverPartner: string;
}

export interface SapSystemConfig {
  readonly id: string;
  readonly type: SapSystemType;
  /** Origin and base path, without a trailing slash; never carries credentials. */
  readonly url: string;
  /** The sap-client (MANDT), three digits. */
  readonly client: string;
  readonly auth: SapAuthConfig;
  /** Null without any of the certificate variables. */
  readonly tls: SapTlsConfig | null;
  /** Connections of the system's undici Agent. */
  readonly poolSize: number;
  /** One HTTP exchange, body included. */
  readonly timeoutMs: number;
  /** Consecutive failures that open the circuit. */
  readonly breakerFailures: number;
  /** How long the circuit stays open before one trial call. */
  readonly breakerResetMs: number;
  /** Attempts for a read, the first included; writes get one. */
  readonly maxAttempts: number;
  readonly paths: SapServicePaths;
  readonly idoc: SapIdocPartners;
}

export interface SapVariableDoc {
  /** The name with `<ID>` standing for a system id. */
  readonly name: string;
  readonly default: string | null;
  readonly description: string;
  /** Its value is never shown (a configuration error shows its length only). */
  readonly secret: boolean;
}

const doc = (name: string, def: string | null, description: string, secret = false): SapVariableDoc => Object.freeze({ name, default: def, description, secret });

/** Every variable the SAP connector reads, for the README. */
export const SAP_VARIABLE_PATTERNS: readonly SapVariableDoc[] = Object.freeze([
  doc('SAP_SYSTEMS', '(none)', 'Comma-separated system ids (upper-case letters, digits, `_`; starting with a letter; at most 16), e.g. `S4H,ERP`.'),
  doc('SAP_<ID>_URL', null, 'Base URL (`https://host:44300`, a path prefix allowed), without credentials, query or fragment. Required.'),
  doc('SAP_<ID>_TYPE', 'S4HANA', '`ERP`, `S4HANA`, `BW`, `CRM` or `OTHER`.'),
  doc('SAP_<ID>_CLIENT', null, 'The sap-client, three digits (`100`). Required.'),
  doc('SAP_<ID>_USER', null, 'Basic authentication: the user (with `SAP_<ID>_PASSWORD` or `SAP_<ID>_PASSWORD_FILE`).'),
  doc('SAP_<ID>_PASSWORD', null, 'Basic authentication: the password.', true),
  doc('SAP_<ID>_PASSWORD_FILE', null, 'Basic authentication: a file holding the password (one trailing newline is ignored).'),
  doc('SAP_<ID>_OAUTH_TOKEN_URL', null, 'OAuth2 client credentials: the token endpoint. Excludes basic authentication.'),
  doc('SAP_<ID>_OAUTH_CLIENT_ID', null, 'OAuth2: the client id.'),
  doc('SAP_<ID>_OAUTH_CLIENT_SECRET', null, 'OAuth2: the client secret.', true),
  doc('SAP_<ID>_OAUTH_CLIENT_SECRET_FILE', null, 'OAuth2: a file holding the client secret.'),
  doc('SAP_<ID>_OAUTH_SCOPE', '(none)', 'OAuth2: space-separated scopes to ask for.'),
  doc('SAP_<ID>_CERT_FILE', null, 'X.509 client certificate (PEM) for TLS; with `SAP_<ID>_KEY_FILE`. Alone, or beside basic or OAuth2.'),
  doc('SAP_<ID>_KEY_FILE', null, 'The client certificate\'s private key (PEM).'),
  doc('SAP_<ID>_CA_FILE', '(system CAs)', 'CA certificates (PEM) that the system\'s server certificate is checked against.'),
  doc('SAP_<ID>_KEY_PASSPHRASE', null, 'Passphrase of an encrypted private key.', true),
  doc('SAP_<ID>_KEY_PASSPHRASE_FILE', null, 'A file holding that passphrase.'),
  doc('SAP_<ID>_POOL_SIZE', '10', 'Connections to the system (undici Agent).'),
  doc('SAP_<ID>_TIMEOUT_MS', '10000', 'One HTTP exchange, body included.'),
  doc('SAP_<ID>_BREAKER_FAILURES', '5', 'Consecutive failures (connection errors, timeouts, 502/503/504) that open the circuit.'),
  doc('SAP_<ID>_BREAKER_RESET_MS', '30000', 'How long an open circuit answers SAP_UNAVAILABLE before one trial call.'),
  doc('SAP_<ID>_MAX_ATTEMPTS', '3', 'Attempts for a read (the first included); writes are never retried.'),
  doc('SAP_<ID>_BUSINESS_PARTNER_PATH', '/sap/opu/odata/sap/API_BUSINESS_PARTNER', 'OData service root for business partners.'),
  doc('SAP_<ID>_PRODUCT_PATH', '/sap/opu/odata/sap/API_PRODUCT_SRV', 'OData service root for products.'),
  doc('SAP_<ID>_SALES_ORDER_PATH', '/sap/opu/odata/sap/API_SALES_ORDER_SRV', 'OData service root for sales orders.'),
  doc('SAP_<ID>_RFC_PATH', '/sap/bc/soap/rfc', 'The SOAP-RFC service.'),
  doc('SAP_<ID>_IDOC_PATH', '/sap/bc/idoc_xml', 'The IDoc-XML inbound service.'),
  doc('SAP_<ID>_IDOC_SENDER_PORT', 'INTERCHNG', 'SNDPOR of IDocs the hub sends (up to 10 characters).'),
  doc('SAP_<ID>_IDOC_SENDER_PARTNER', 'INTERCHNG', 'SNDPRN, a logical system (partner type LS).'),
  doc('SAP_<ID>_IDOC_RECEIVER_PORT', 'SAP<ID>', 'RCVPOR.'),
  doc('SAP_<ID>_IDOC_RECEIVER_PARTNER', '<ID>CLNT<CLIENT>', 'RCVPRN, the system\'s logical system (partner type LS).'),
]);

const SECRET_SUFFIXES = ['_PASSWORD', '_OAUTH_CLIENT_SECRET', '_KEY_PASSPHRASE'];

/** True for a variable whose value a message may show by its length only. */
export function isSapSecretVariable(name: string): boolean {
  return name.startsWith('SAP_') && SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

function shown(name: string, value: string | undefined): string {
  if (value !== undefined && isSapSecretVariable(name)) return `(${value.length} characters, hidden)`;
  return shownValue(name, value);
}

const SYSTEM_ID = /^[A-Z][A-Z0-9_]{0,15}$/;
const SERVICE_PATH = /^\/[A-Za-z0-9_\-./~%]*$/;
const IDOC_NAME = /^[A-Z0-9_]{1,10}$/;

const servicePath = (fallback: string) =>
  z
    .string()
    .regex(SERVICE_PATH, 'must be a path beginning with "/", without query or spaces')
    .default(fallback)
    .transform((path) => path.replace(/\/+$/, '') || '/');

const idocName = z.string().regex(IDOC_NAME, 'must be 1 to 10 upper-case letters, digits or "_"');

/** The zod shape of one system's variables; values that are secrets or files are checked afterwards. */
function systemShape(id: string) {
  const v = (suffix: string) => `SAP_${id}_${suffix}`;
  const text = z.string().optional();
  return {
    [v('URL')]: z.string({ error: 'is required: the system\'s base URL' }).pipe(httpUrl),
    [v('TYPE')]: z.enum(['ERP', 'S4HANA', 'BW', 'CRM', 'OTHER']).default('S4HANA'),
    [v('CLIENT')]: z.string({ error: 'is required: the sap-client, three digits' }).regex(/^\d{3}$/, 'must be three digits'),
    [v('USER')]: z.string().max(40, 'must be at most 40 characters').optional(),
    [v('PASSWORD')]: text,
    [v('PASSWORD_FILE')]: text,
    [v('OAUTH_TOKEN_URL')]: httpUrl.optional(),
    [v('OAUTH_CLIENT_ID')]: text,
    [v('OAUTH_CLIENT_SECRET')]: text,
    [v('OAUTH_CLIENT_SECRET_FILE')]: text,
    [v('OAUTH_SCOPE')]: text,
    [v('CERT_FILE')]: text,
    [v('KEY_FILE')]: text,
    [v('CA_FILE')]: text,
    [v('KEY_PASSPHRASE')]: text,
    [v('KEY_PASSPHRASE_FILE')]: text,
    [v('POOL_SIZE')]: positiveInt(10, 1_000),
    [v('TIMEOUT_MS')]: positiveInt(10_000, 600_000),
    [v('BREAKER_FAILURES')]: positiveInt(5, 1_000),
    [v('BREAKER_RESET_MS')]: positiveInt(30_000, 3_600_000),
    [v('MAX_ATTEMPTS')]: positiveInt(3, 10),
    [v('BUSINESS_PARTNER_PATH')]: servicePath('/sap/opu/odata/sap/API_BUSINESS_PARTNER'),
    [v('PRODUCT_PATH')]: servicePath('/sap/opu/odata/sap/API_PRODUCT_SRV'),
    [v('SALES_ORDER_PATH')]: servicePath('/sap/opu/odata/sap/API_SALES_ORDER_SRV'),
    [v('RFC_PATH')]: servicePath('/sap/bc/soap/rfc'),
    [v('IDOC_PATH')]: servicePath('/sap/bc/idoc_xml'),
    [v('IDOC_SENDER_PORT')]: idocName.default('INTERCHNG'),
    [v('IDOC_SENDER_PARTNER')]: idocName.default('INTERCHNG'),
    [v('IDOC_RECEIVER_PORT')]: idocName.optional(),
    [v('IDOC_RECEIVER_PARTNER')]: idocName.optional(),
  };
}

type Env = Record<string, string | undefined>;

interface Problem {
  name: string;
  message: string;
}

/**
 * The SAP systems configured in `env`, frozen, in the order of `SAP_SYSTEMS` (none when it is
 * unset). Throws a ConfigError naming every bad variable with its value as `shownValue` shows it
 * (secrets by their length only, URLs without credentials).
 */
export function sapSystemsFromEnv(env: Env = process.env): readonly SapSystemConfig[] {
  const picked: Env = {};
  const get = (name: string) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const ids = (get('SAP_SYSTEMS') ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  const problems: Problem[] = [];
  const badIds = ids.filter((id) => !SYSTEM_ID.test(id));
  if (badIds.length > 0) problems.push({ name: 'SAP_SYSTEMS', message: `${badIds.map((id) => JSON.stringify(id)).join(', ')} must be upper-case letters, digits or "_", starting with a letter, at most 16` });
  if (new Set(ids).size !== ids.length) problems.push({ name: 'SAP_SYSTEMS', message: 'lists a system twice' });
  if (problems.length > 0) throw configError(problems, { SAP_SYSTEMS: get('SAP_SYSTEMS') });

  const systems: SapSystemConfig[] = [];
  for (const id of ids) {
    const shape = systemShape(id);
    for (const name of Object.keys(shape)) picked[name] = get(name);
    const result = z.object(shape).safeParse(Object.fromEntries(Object.keys(shape).map((name) => [name, picked[name]])));
    if (!result.success) {
      for (const issue of result.error.issues) problems.push({ name: String(issue.path[0]), message: issue.message });
      continue;
    }
    const system = systemConfig(id, result.data as Record<string, unknown>, problems);
    if (system) systems.push(system);
  }
  if (problems.length > 0) throw configError(problems, picked);
  return Object.freeze(systems);
}

function configError(problems: Problem[], values: Env): ConfigError {
  const lines = problems.map(({ name, message }) => `  ${name}=${shown(name, values[name])}: ${message}`);
  return new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Cross-variable checks and file reads for one system; pushes its problems and answers null when there are any. */
function systemConfig(id: string, values: Record<string, unknown>, problems: Problem[]): SapSystemConfig | null {
  const v = (suffix: string) => `SAP_${id}_${suffix}`;
  const str = (suffix: string) => values[v(suffix)] as string | undefined;
  const num = (suffix: string) => values[v(suffix)] as number;
  const before = problems.length;
  const problem = (suffix: string, message: string) => problems.push({ name: v(suffix), message });

  const url = new URL(str('URL')!);
  if (url.username || url.password) problem('URL', `must not carry credentials: use ${v('USER')} and ${v('PASSWORD')}`);
  if (url.search || url.hash) problem('URL', 'must not have a query or a fragment');

  /** A value given directly or in a file, not both; a file's one trailing newline is dropped. */
  const valueOrFile = (suffix: string): string | undefined => {
    const direct = str(suffix);
    const file = str(`${suffix}_FILE`);
    if (direct !== undefined && file !== undefined) {
      problem(`${suffix}_FILE`, `must not be set together with ${v(suffix)}`);
      return undefined;
    }
    if (file === undefined) return direct;
    const contents = readFile(`${suffix}_FILE`, file);
    return contents?.replace(/\r?\n$/, '');
  };
  const readFile = (suffix: string, path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      problem(suffix, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const pem = (suffix: string): string | null => {
    const path = str(suffix);
    if (path === undefined) return null;
    const contents = readFile(suffix, path);
    if (contents !== undefined && !contents.includes('-----BEGIN ')) problem(suffix, 'is not a PEM file');
    return contents ?? null;
  };

  const user = str('USER');
  const password = valueOrFile('PASSWORD');
  const tokenUrl = str('OAUTH_TOKEN_URL');
  const clientId = str('OAUTH_CLIENT_ID');
  const clientSecret = valueOrFile('OAUTH_CLIENT_SECRET');
  const cert = pem('CERT_FILE');
  const key = pem('KEY_FILE');
  const ca = pem('CA_FILE');
  const passphrase = valueOrFile('KEY_PASSPHRASE');
  if ((str('CERT_FILE') === undefined) !== (str('KEY_FILE') === undefined)) {
    const missing = str('CERT_FILE') === undefined ? 'CERT_FILE' : 'KEY_FILE';
    problem(missing, `is required with ${v(missing === 'CERT_FILE' ? 'KEY_FILE' : 'CERT_FILE')}`);
  }

  let auth: SapAuthConfig | undefined;
  if (user !== undefined && tokenUrl !== undefined) problem('OAUTH_TOKEN_URL', `must not be set together with ${v('USER')}: choose basic or OAuth2 authentication`);
  else if (user !== undefined) {
    if (password === undefined) problem('PASSWORD', `is required with ${v('USER')} (or ${v('PASSWORD_FILE')})`);
    else auth = { kind: 'basic', user, password: new Secret(password) };
  } else if (tokenUrl !== undefined) {
    if (clientId === undefined) problem('OAUTH_CLIENT_ID', `is required with ${v('OAUTH_TOKEN_URL')}`);
    if (clientSecret === undefined) problem('OAUTH_CLIENT_SECRET', `is required with ${v('OAUTH_TOKEN_URL')} (or ${v('OAUTH_CLIENT_SECRET_FILE')})`);
    if (clientId !== undefined && clientSecret !== undefined) {
      auth = { kind: 'oauth2', tokenUrl, clientId, clientSecret: new Secret(clientSecret), scope: str('OAUTH_SCOPE') ?? null };
    }
  } else if (cert !== null && key !== null) auth = { kind: 'certificate' };
  else if (problems.length === before) problem('USER', `is required unless ${v('OAUTH_TOKEN_URL')} or ${v('CERT_FILE')} and ${v('KEY_FILE')} are set`);
  if (password !== undefined && user === undefined) problem(str('PASSWORD') !== undefined ? 'PASSWORD' : 'PASSWORD_FILE', `is set without ${v('USER')}`);

  const client = str('CLIENT')!;
  const receiverPartner = str('IDOC_RECEIVER_PARTNER') ?? `${id}CLNT${client}`;
  const receiverPort = str('IDOC_RECEIVER_PORT') ?? `SAP${id}`;
  if (!IDOC_NAME.test(receiverPartner)) problem('IDOC_RECEIVER_PARTNER', `is required: the default ${receiverPartner} is longer than 10 characters`);
  if (!IDOC_NAME.test(receiverPort)) problem('IDOC_RECEIVER_PORT', `is required: the default ${receiverPort} is longer than 10 characters`);

  if (problems.length > before || !auth) return null;
  return Object.freeze({
    id,
    type: values[v('TYPE')] as SapSystemType,
    url: url.href.replace(/\/+$/, ''),
    client,
    auth: Object.freeze(auth),
    tls:
      cert !== null || ca !== null
        ? Object.freeze({ cert, key: key === null ? null : new Secret(key), ca, passphrase: passphrase === undefined ? null : new Secret(passphrase) })
        : null,
    poolSize: num('POOL_SIZE'),
    timeoutMs: num('TIMEOUT_MS'),
    breakerFailures: num('BREAKER_FAILURES'),
    breakerResetMs: num('BREAKER_RESET_MS'),
    maxAttempts: num('MAX_ATTEMPTS'),
    paths: Object.freeze({
      businessPartner: str('BUSINESS_PARTNER_PATH')!,
      product: str('PRODUCT_PATH')!,
      salesOrder: str('SALES_ORDER_PATH')!,
      rfc: str('RFC_PATH')!,
      idoc: str('IDOC_PATH')!,
    }),
    idoc: Object.freeze({
      senderPort: str('IDOC_SENDER_PORT')!,
      senderPartner: str('IDOC_SENDER_PARTNER')!,
      receiverPort,
      receiverPartner,
    }),
  });
}
