/**
 * The operator's token: a bearer JWT or an API key (`ik_<id>_<secret>`). It lives in this tab's
 * sessionStorage (gone when the tab closes, never sent anywhere but in the headers of the hub's
 * own API) and may be handed over in the URL fragment, `/dashboard#token=…`, which browsers do
 * not send to servers; the page takes it out of the address bar (and so out of the history) at once.
 */

const STORAGE_KEY = 'interchange.dashboard.token';

/** The fragment's token, if there is one, with the fragment removed from the address bar. */
export function takeTokenFromFragment(): string | undefined {
  if (!location.hash) return undefined;
  const token = new URLSearchParams(location.hash.slice(1)).get('token')?.trim();
  if (token === undefined) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  return token || undefined;
}

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    // Storage blocked (a privacy setting): the token lives as long as the page.
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(STORAGE_KEY, token);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // As above: nothing to keep it in.
  }
}

/** The headers that carry `token`: an API key as `x-api-key`, anything else as a bearer token (a pasted `Bearer ` prefix is dropped). */
export function credentialHeaders(token: string): Record<string, string> {
  const value = token.trim().replace(/^bearer\s+/i, '');
  return value.startsWith('ik_') ? { 'x-api-key': value } : { authorization: `Bearer ${value}` };
}
