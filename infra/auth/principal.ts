/**
 * Who is calling, once the router has verified their credentials. The router forwards it to
 * subgraphs in the signed internal header; subgraphs and the response cache read it.
 */
export interface Principal {
  /** `user`: a JWT bearer; `api_key`: an X-API-Key; `service`: one of the hub's own services. */
  kind: 'user' | 'api_key' | 'service';
  /** The JWT subject, the API key's id, or the service's name. Stable across tokens of one caller. */
  id: string;
  roles: readonly string[];
  /** Everything this principal may do: its roles' scopes plus any granted directly. */
  scopes: readonly string[];
  /** When the credentials stop being valid (epoch ms): a JWT's `exp`. A WebSocket authenticated with them closes then. */
  expiresAt?: number;
}

/** Every scope the hub knows. A field's `@requiresScopes` names one or more of these. */
export const SCOPES = [
  'customers:read',
  'customers:write',
  'orders:read',
  'orders:write',
  'queues:read',
  'queues:publish',
  'sap:read',
  'sap:write',
  'health:read',
  'metrics:read',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

/** The shipped roles and the scopes each grants. */
export const ROLE_SCOPES: Readonly<Record<string, readonly Scope[]>> = {
  admin: SCOPES,
  api_user: ['customers:read', 'customers:write', 'orders:read', 'orders:write', 'queues:publish'],
  sap_integration: ['sap:read', 'sap:write', 'queues:read', 'queues:publish'],
  readonly: ['customers:read', 'orders:read', 'queues:read', 'sap:read', 'health:read', 'metrics:read'],
};

export const ROLES = Object.keys(ROLE_SCOPES);

/** Scope lists by roles and extra scopes: callers present the same few combinations again and again. */
const scopeLists = new Map<string, readonly string[]>();
const MAX_SCOPE_LISTS = 1_000;

/** The scopes of `roles` (unknown roles grant nothing) together with `extra`, without repeats; frozen. */
export function scopesOf(roles: readonly string[], extra: readonly string[] = []): readonly string[] {
  // JSON, not names joined by a separator: a role or scope containing the separator cannot make two lists one key.
  const key = JSON.stringify([roles, extra]);
  let scopes = scopeLists.get(key);
  if (!scopes) {
    scopes = Object.freeze([...new Set([...roles.flatMap((role) => ROLE_SCOPES[role] ?? []), ...extra])]);
    if (scopeLists.size >= MAX_SCOPE_LISTS) scopeLists.clear();
    scopeLists.set(key, scopes);
  }
  return scopes;
}
