import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { serverAudits } from 'graphql-http';
import { startTestHub, type TestHub } from './support/hub.js';
import { asRole } from './support/tokens.js';

/**
 * The router against the GraphQL-over-HTTP spec: graphql-http's server audit, and the status rule
 * the audit checks only in part (a GraphQL request error is 200 with application/json, 400 with
 * application/graphql-response+json; an HTTP error keeps its status whatever the client accepts).
 */
let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.stop();
});

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

interface Answer {
  status: number;
  contentType: string;
  body: any;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** POSTs `body` (JSON-encoded unless a string) to `url`, the router's by default. */
async function post(body: unknown, headers: Record<string, string> = {}, url = hub.routerUrl): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return answer(response);
}

/** A POST with no Accept header at all (fetch would add `accept: *\/*`). */
function postWithoutAccept(body: unknown): Promise<Answer> {
  const payload = JSON.stringify(body);
  return new Promise((resolveAnswer, reject) => {
    const req = httpRequest(hub.routerUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the graphql-http audit of the router', () => {
  // Anonymous requests, as the audit sends them: the test hub's router admits them for `__typename`
  // and introspection, and has no rate limits.
  for (const audit of serverAudits({ url: () => hub.routerUrl, fetchFn: fetch })) {
    if (audit.name.startsWith('MAY')) continue;
    it(`passes ${audit.id}: ${audit.name}`, async () => {
      const result = await audit.fn();
      assert.equal(result.status, 'ok', result.status === 'ok' ? undefined : result.reason);
    });
  }
});

/** GraphQL request errors: the document or its variables fail before anything executes. */
const REQUEST_ERRORS: { name: string; body: Record<string, unknown>; code: string }[] = [
  { name: 'a document that does not parse', body: { query: '{ customers(' }, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'a document that does not validate', body: { query: '{ customers { nope } }' }, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'a variable that does not coerce', body: { query: 'query ($first: Int!) { customers(first: $first) { totalCount } }', variables: { first: 'ten' } }, code: 'BAD_USER_INPUT' },
  {
    name: 'an operation name the document does not define',
    body: { query: 'query Known { __typename }', operationName: 'Unknown' },
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
  { name: 'more tokens than the router parses', body: { query: `{ ${'__typename '.repeat(5_001)}}` }, code: 'OPERATION_LIMIT_EXCEEDED' },
  {
    name: 'more root fields than the router allows',
    body: { query: `{ ${Array.from({ length: 11 }, (_, index) => `f${index}: __typename`).join(' ')} }` },
    code: 'OPERATION_LIMIT_EXCEEDED',
  },
];

describe('the status of a GraphQL request error', () => {
  for (const failure of REQUEST_ERRORS) {
    it(`is 200 with application/json and 400 with application/graphql-response+json for ${failure.name}`, async () => {
      const admin = await asRole('admin');
      for (const accept of [JSON_TYPE, '*/*']) {
        const json = await post(failure.body, { ...admin, accept });
        assert.equal(json.status, 200, accept);
        assert.match(json.contentType, /^application\/json/);
        assert.equal(json.body.errors?.[0]?.extensions?.code, failure.code);
        assert.equal('data' in json.body, false);
      }
      const strict = await post(failure.body, { ...admin, accept: GRAPHQL_RESPONSE_TYPE });
      assert.equal(strict.status, 400);
      assert.match(strict.contentType, /^application\/graphql-response\+json/);
      assert.equal(strict.body.errors?.[0]?.extensions?.code, failure.code);
    });
  }

  it('stays 400 for a client that sends no Accept header, which the spec treats as accepting application/graphql-response+json', async () => {
    const response = await postWithoutAccept({ query: '{ customers(' });
    assert.equal(response.status, 400);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
  });
});

describe('the status of an HTTP error, with application/json accepted', () => {
  const accept = { accept: JSON_TYPE };

  it('stays 401 without credentials and 403 without the scope', async () => {
    const anonymous = await post({ query: '{ customers(first: 1) { totalCount } }' }, accept);
    assert.deepEqual([anonymous.status, anonymous.body.errors?.[0]?.extensions?.code], [401, 'UNAUTHENTICATED']);
    const readonly = await post({ query: 'mutation { createCustomer(input: { name: "Not Allowed", email: "no@http.example" }) { id } }' }, { ...accept, ...(await asRole('readonly')) });
    assert.deepEqual([readonly.status, readonly.body.errors?.[0]?.extensions?.code], [403, 'FORBIDDEN']);
  });

  it('stays 429 over a rate limit', async () => {
    // The hub stops it with the others.
    const limited = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1' });
    assert.equal((await post({ query: '{ __typename }' }, accept, limited.url)).status, 200);
    const over = await post({ query: '{ __typename }' }, accept, limited.url);
    assert.deepEqual([over.status, over.body.errors?.[0]?.extensions?.code], [429, 'RATE_LIMITED']);
  });

  it('stays 413 for a body over the limit and 400 for a body that is not JSON', async () => {
    assert.equal((await post({ query: '{ __typename }', padding: 'x'.repeat(2 * 1024 * 1024) }, accept)).status, 413);
    const notJson = await post('{"query": ', accept);
    assert.deepEqual([notJson.status, notJson.body.errors?.[0]?.extensions?.code], [400, 'BAD_REQUEST']);
  });

  it('stays 400 for a GET without a CSRF preflight header, 405 for a mutation over GET, 400 for a subscription over HTTP', async () => {
    const get = (query: string, headers: Record<string, string>) => fetch(`${hub.routerUrl}?query=${encodeURIComponent(query)}`, { headers: { ...accept, ...headers } }).then(answer);
    const csrf = await get('{ __typename }', {});
    assert.equal(csrf.status, 400);
    assert.match(JSON.stringify(csrf.body), /CSRF/);
    assert.equal((await get('mutation { __typename }', { 'apollo-require-preflight': 'true' })).status, 405);
    const subscription = await post({ query: 'subscription { orderEvents { id } }' }, { ...accept, ...(await asRole('admin')) });
    assert.deepEqual([subscription.status, subscription.body.errors?.[0]?.extensions?.code], [400, 'BAD_REQUEST']);
  });
});
