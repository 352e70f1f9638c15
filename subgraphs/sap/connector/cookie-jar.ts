/**
 * The cookies of one SAP origin: the session cookies that tie a CSRF token to its session
 * (SAP_SESSIONID_<SID>_<client>, sap-XSRF_<SID>_<client>) and the context id of a stateful ICF
 * session (sap-contextid). A jar belongs to one system, so `Domain` is ignored: its cookies are
 * only ever sent back to that system's origin. `Path`, `Expires` and `Max-Age` are honoured.
 */
export class CookieJar {
  /** By `name` and `path`: the same name may be set for two paths. */
  private readonly cookies = new Map<string, { name: string; value: string; path: string; expiresAt: number | null }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes the `set-cookie` header(s) of a response to a request for `requestPath`. */
  store(setCookie: string | string[] | undefined, requestPath: string): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.storeOne(line, requestPath);
  }

  /** The `cookie` header for a request to `path`, or undefined when no cookie applies. */
  header(path: string): string | undefined {
    const now = this.now();
    const pairs: string[] = [];
    for (const [key, cookie] of this.cookies) {
      if (cookie.expiresAt !== null && cookie.expiresAt <= now) {
        this.cookies.delete(key);
        continue;
      }
      if (pathMatches(path, cookie.path)) pairs.push(`${cookie.name}=${cookie.value}`);
    }
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  /** Whether a cookie of that name is kept (for any path) and has not expired. */
  has(name: string): boolean {
    const now = this.now();
    return [...this.cookies.values()].some((cookie) => cookie.name === name && (cookie.expiresAt === null || cookie.expiresAt > now));
  }

  get size(): number {
    return this.cookies.size;
  }

  clear(): void {
    this.cookies.clear();
  }

  private storeOne(line: string, requestPath: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const equals = pair.indexOf('=');
    if (equals <= 0) return;
    const name = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    let path = defaultPath(requestPath);
    let expiresAt: number | null = null;
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const [rawKey = '', ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const attributeValue = rest.join('=').trim();
      if (key === 'path' && attributeValue.startsWith('/')) path = attributeValue;
      else if (key === 'max-age' && /^-?\d+$/.test(attributeValue)) {
        maxAgeSeen = true;
        expiresAt = this.now() + Number(attributeValue) * 1000;
      } else if (key === 'expires' && !maxAgeSeen) {
        const time = Date.parse(attributeValue);
        if (!Number.isNaN(time)) expiresAt = time;
      }
    }
    const key = `${name}\u0000${path}`;
    if (expiresAt !== null && expiresAt <= this.now()) this.cookies.delete(key);
    else this.cookies.set(key, { name, value, path, expiresAt });
  }
}

/** RFC 6265 5.1.4: the request path up to its last `/`. */
function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
