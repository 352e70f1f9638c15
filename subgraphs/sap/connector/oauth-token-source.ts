import type { SapAuthConfig } from './sap-config.js';
import { sapBadResponse, sapError } from './sap-errors.js';

type OAuthConfig = Extract<SapAuthConfig, { kind: 'oauth2' }>;

/** What the token source needs of HTTP: one POST, its status and body (network failures reject). */
export type TokenPost = (url: string, headers: Record<string, string>, body: string) => Promise<{ status: number; body: string }>;

/** Tokens without `expires_in` are taken to live this long. */
const DEFAULT_LIFETIME_SECONDS = 300;

/**
 * OAuth2 client-credentials tokens for one SAP system (RFC 6749 section 4.4, the client
 * authenticated with HTTP Basic). A token is cached until shortly before it expires (a tenth of
 * its lifetime, at most a minute); concurrent callers share one token request. `invalidate`
 * drops a token that SAP refused (a 401) so that the next `token()` fetches a new one.
 */
export class OAuthTokenSource {
  private current: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly system: string,
    private readonly config: OAuthConfig,
    private readonly post: TokenPost,
    private readonly now: () => number = Date.now,
  ) {}

  token(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return Promise.resolve(this.current.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** Forgets `token` if it is still the cached one (a concurrent refresh may have replaced it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = null;
  }

  private async fetchToken(): Promise<string> {
    const call = { method: 'POST', path: new URL(this.config.tokenUrl).pathname };
    const credentials = `${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret.reveal())}`;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.config.scope) form.set('scope', this.config.scope);
    const requestedAt = this.now();
    const response = await this.post(
      this.config.tokenUrl,
      {
        authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      form.toString(),
    );
    let parsed: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
    } catch (error) {
      if (response.status !== 200) throw sapError(this.system, call, response.status, { code: null, message: `the OAuth2 token endpoint answered HTTP ${response.status}` });
      throw sapBadResponse(this.system, call, 'the token response is not JSON', error);
    }
    if (response.status !== 200) {
      const code = typeof parsed.error === 'string' ? parsed.error : null;
      const description = typeof parsed.error_description === 'string' ? `: ${parsed.error_description}` : '';
      throw sapError(this.system, call, response.status, { code, message: `the OAuth2 token endpoint refused the client (HTTP ${response.status})${description}` });
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') throw sapBadResponse(this.system, call, 'the token response has no access_token');
    const lifetime = Number(parsed.expires_in ?? DEFAULT_LIFETIME_SECONDS);
    const lifetimeMs = (Number.isFinite(lifetime) && lifetime > 0 ? lifetime : DEFAULT_LIFETIME_SECONDS) * 1000;
    this.current = { token: parsed.access_token, refreshAt: requestedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return parsed.access_token;
  }
}
