import { SignJWT } from 'jose';

export interface ServiceTokenOptions {
  /** The HS256 secret the router verifies bearer tokens with (see hs256Secret). */
  secret: string;
  /** The `sub` claim: the principal is `user:<subject>` in the router's audit records. */
  subject: string;
  /** The `scope` claim: exactly what the service needs, no role. */
  scopes: readonly string[];
  /** JWT_ISSUER and JWT_AUDIENCE, when the router checks them. */
  issuer?: string;
  audience?: string;
  /** Default 300. */
  lifetimeSeconds?: number;
}

/**
 * Bearer tokens for one of the hub's own services that calls the router as a caller would (the
 * queues' processors, when `npm start` or the test hub runs them beside the router): short-lived,
 * signed once and reused until a fifth of the lifetime is left, then renewed.
 */
export class ServiceTokens {
  private readonly key: Uint8Array;
  private readonly lifetimeSeconds: number;
  private current: { token: Promise<string>; renewAt: number } | undefined;

  constructor(private readonly options: ServiceTokenOptions) {
    this.key = new TextEncoder().encode(options.secret);
    this.lifetimeSeconds = options.lifetimeSeconds ?? 300;
  }

  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.token()}` };
  }

  private token(): Promise<string> {
    const now = Date.now();
    if (!this.current || now >= this.current.renewAt) {
      this.current = { token: this.sign(Math.floor(now / 1000)), renewAt: now + this.lifetimeSeconds * 800 };
    }
    return this.current.token;
  }

  private sign(now: number): Promise<string> {
    const jwt = new SignJWT({ scope: this.options.scopes.join(' ') })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(this.options.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + this.lifetimeSeconds);
    if (this.options.issuer) jwt.setIssuer(this.options.issuer);
    if (this.options.audience) jwt.setAudience(this.options.audience);
    return jwt.sign(this.key);
  }
}
