import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_SECRET_LENGTH } from '../../infra/config.js';

/** The file, in DATA_DIR, that holds the development JWT secret. */
export const DEV_JWT_SECRET_FILE = 'dev-jwt-secret';

/**
 * The local development secret for HS256 bearer tokens: read from `<dataDir>/dev-jwt-secret`,
 * or created there (random, mode 600) on first use. The router uses it when neither JWT_SECRET
 * nor JWKS_URL is set outside production; `npm run token` signs with it.
 */
export function devJwtSecret(dataDir: string): string {
  const path = join(dataDir, DEV_JWT_SECRET_FILE);
  try {
    return checked(path, readFileSync(path, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  try {
    // `wx`: when two processes start at once, the second reads what the first wrote.
    writeFileSync(path, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return checked(path, readFileSync(path, 'utf8').trim());
}

/** A secret edited down by hand is refused, naming the file, never showing the secret. */
function checked(path: string, secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`${path} holds a secret shorter than ${MIN_SECRET_LENGTH} characters: delete the file and a new one is made`);
  return secret;
}
