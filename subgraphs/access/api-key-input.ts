import { z } from 'zod';
import { ROLES, SCOPES } from '../../infra/auth/principal.js';

/**
 * The rules for a new API key. The name is trimmed; a role, scopes or both must be given, each
 * one the hub knows; an expiry must lie in the future.
 */

const notNull = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === null ? 'cannot be null' : `must be ${what}`) });

const name = z.string(notNull('a string')).trim().min(1, 'must be 1 to 100 characters').max(100, 'must be 1 to 100 characters');
const role = z.string().refine((value) => ROLES.includes(value), `must be one of ${ROLES.join(', ')}`);
const scope = z.string().refine((value) => (SCOPES as readonly string[]).includes(value), 'is not a scope the hub knows');
const expiresAt = z.coerce
  .date({ error: 'must be a date and time' })
  .refine((value) => value.getTime() > Date.now(), 'must be in the future');

/** A change to a key: at least one field; `role: null` removes the role. */
export const updateApiKeyInput = z
  .object({ name: name.optional(), role: role.nullish(), scopes: z.array(scope).max(SCOPES.length, 'has more scopes than the hub knows').optional() })
  .refine((input) => Object.keys(input).length > 0, { path: ['name'], message: 'give a name, a role or scopes to change' });

export const createApiKeyInput = z
  .object({
    name,
    role: role.nullish(),
    scopes: z.array(scope).max(SCOPES.length, 'has more scopes than the hub knows').nullish(),
    expiresAt: expiresAt.nullish(),
  })
  .refine((input) => Boolean(input.role) || (input.scopes?.length ?? 0) > 0, { path: ['role'], message: 'give a role, scopes or both' });
