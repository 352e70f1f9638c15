import { generateApiKey, isApiKeyId } from '../../infra/auth/api-keys.js';
import { scopesOf } from '../../infra/auth/principal.js';
import { badUserInput, conflict, notFound } from '../../infra/errors.js';
import { parseInput } from '../../infra/validation.js';
import type { AccessRepository, ApiKeyRow } from './access-repository.js';
import { createApiKeyInput, updateApiKeyInput } from './api-key-input.js';

/** A key as the API shows it, with its secret when it was just made. */
export interface IssuedApiKey {
  apiKey: ApiKeyRow;
  secret: string;
}

/**
 * API key mutations. Scopes are not checked here: the schema declares @requiresScopes(admin),
 * which the router enforces before any subgraph is called and the access subgraph again before
 * any resolver runs (requiredScopesPlugin, in server.ts).
 */
export class AccessService {
  constructor(private readonly repository: AccessRepository) {}

  async create(input: unknown, requestId: string | null): Promise<IssuedApiKey> {
    const values = await parseInput(createApiKeyInput, input);
    const generated = await generateApiKey();
    const apiKey = await this.repository.createKey(
      {
        id: generated.id,
        name: values.name,
        roles: values.role ? [values.role] : [],
        scopes: [...new Set(values.scopes ?? [])],
        secretHash: generated.secretHash,
        expiresAt: values.expiresAt ?? null,
        rotatedFrom: null,
      },
      requestId,
    );
    return { apiKey, secret: generated.key };
  }

  /** A new key in place of `id`, which is revoked in the same transaction. */
  async rotate(id: string, requestId: string | null): Promise<IssuedApiKey> {
    if (!isApiKeyId(id)) throw notFound('ApiKey', id);
    const generated = await generateApiKey();
    const apiKey = await this.repository.rotateKey(
      id,
      (old) => ({
        id: generated.id,
        name: old.name,
        roles: old.roles,
        scopes: old.scopes,
        secretHash: generated.secretHash,
        expiresAt: old.expiresAt,
        rotatedFrom: old.id,
      }),
      requestId,
    );
    if (apiKey === undefined) throw notFound('ApiKey', id);
    if (apiKey === 'revoked' || apiKey === 'expired') throw conflict(`An ${apiKey} key cannot be rotated; create a new one`, 'id');
    return { apiKey, secret: generated.key };
  }

  /** A key's name, role or scopes changed; the key must keep a role or a scope. */
  async update(id: string, input: unknown, requestId: string | null): Promise<ApiKeyRow> {
    const values = await parseInput(updateApiKeyInput, input);
    if (!isApiKeyId(id)) throw notFound('ApiKey', id);
    let emptied = false;
    const row = await this.repository.updateKey(
      id,
      (old) => {
        const next = {
          name: values.name ?? old.name,
          roles: values.role === undefined ? old.roles : values.role === null ? [] : [values.role],
          scopes: values.scopes === undefined ? old.scopes : [...new Set(values.scopes)],
        };
        if (next.roles.length === 0 && next.scopes.length === 0) {
          emptied = true;
          return undefined;
        }
        const same = next.name === old.name && JSON.stringify(next.roles) === JSON.stringify(old.roles) && JSON.stringify(next.scopes) === JSON.stringify(old.scopes);
        return same ? undefined : next;
      },
      requestId,
    );
    if (emptied) throw badUserInput([{ field: 'role', message: 'the key must keep a role or a scope' }]);
    if (row === undefined) throw notFound('ApiKey', id);
    if (row === 'revoked' || row === 'expired') throw conflict(`An ${row} key cannot be changed; create a new one`, 'id');
    return row;
  }

  async revoke(id: string, requestId: string | null): Promise<ApiKeyRow> {
    const row = isApiKeyId(id) ? await this.repository.revokeKey(id, requestId) : undefined;
    if (!row) throw notFound('ApiKey', id);
    return row;
  }
}

/** What the API shows as a key's scopes: its roles' and its own. */
export function effectiveScopes(row: Pick<ApiKeyRow, 'roles' | 'scopes'>): string[] {
  return [...scopesOf(row.roles, row.scopes)];
}
