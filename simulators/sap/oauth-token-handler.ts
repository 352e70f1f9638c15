import type { Headers } from './http-helpers.js';
import type { SapSystem } from './sap-system.js';

/**
 * OAuth 2.0 client credentials at `{systemUrl}/sap/bc/sec/oauth2/token` (POST, form-encoded
 * `grant_type=client_credentials`; the client authenticates with HTTP Basic or with
 * `client_id`/`client_secret` form fields). Answers
 * `{ access_token, token_type: 'Bearer', expires_in, scope }`; the token is accepted as
 * `Authorization: Bearer …` by every other path of the same system until it expires.
 * Errors follow RFC 6749: 400 `unsupported_grant_type` / `invalid_request`, 401 `invalid_client`.
 */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface TokenResult {
  status: number;
  headers: Headers;
  body: string;
}

const NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' } as const;

function oauthError(status: number, error: string, description: string, headers: Headers = {}): TokenResult {
  return { status, headers: { ...NO_STORE, ...headers }, body: JSON.stringify({ error, error_description: description }) };
}

/** RFC 6749 form-encodes client ids and secrets before Basic encoding them; a malformed escape is taken as it is. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

export function handleOAuthToken(system: SapSystem, client: OAuthClient, method: string, authorization: string | undefined, contentType: string | undefined, body: Buffer): TokenResult {
  if (method !== 'POST') return oauthError(405, 'invalid_request', 'The token endpoint needs POST', { allow: 'POST' });
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) return oauthError(400, 'invalid_request', 'The token request must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(body.toString('utf8'));
  let id = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    id = formDecode(decoded.slice(0, colon < 0 ? undefined : colon));
    secret = colon < 0 ? '' : formDecode(decoded.slice(colon + 1));
  }
  if (id !== client.clientId || secret !== client.clientSecret) {
    return oauthError(401, 'invalid_client', 'Client authentication failed', { 'www-authenticate': `Basic realm="SAP NetWeaver Application Server [${system.id}/${system.client}]"` });
  }
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `Grant type ${grant ?? '(none)'} is not supported; use client_credentials`);
  const { token, expiresIn } = system.issueAccessToken();
  return {
    status: 200,
    headers: NO_STORE,
    body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'API_BUSINESS_PARTNER_0001 API_PRODUCT_SRV_0001 API_SALES_ORDER_SRV_0001 SAP_SOAP_RFC IDOC_XML' }),
  };
}
