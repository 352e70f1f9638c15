import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createOutboundHttp, forbiddenAddress, OutboundRefused, type OutboundHttp } from '../infra/http/outbound-http.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The client's port: requests on one connection share it. */
  connection: number;
}

/** A receiver on 127.0.0.1, port 0, that records each request and answers through `routes` (by path). */
async function startReceiver(routes: Record<string, (res: ServerResponse, received: Received) => void>) {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), connection: req.socket.remotePort ?? 0 };
    received.push(entry);
    const route = routes[entry.url];
    if (route) route(res, entry);
    else res.writeHead(404).end('no such hook');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    received,
    /** How many connections the requests since `from` came over. */
    connectionsSince: (from: number) => new Set(received.slice(from).map(({ connection }) => connection)).size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const json = { headers: { 'content-type': 'application/json' }, body: '{"event":"order.created"}' };

async function refusal(promise: Promise<unknown>): Promise<OutboundRefused> {
  const error = await promise.then(
    () => assert.fail('expected the request to be refused'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof OutboundRefused, `expected OutboundRefused, got ${String(error)}`);
  return error;
}

describe('the outbound address checker', () => {
  const allowed = ['8.8.8.8', '1.1.1.1', '203.0.113.10', '172.32.0.1', '100.128.0.1', '2606:4700::1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808'];
  const forbidden: Array<[string, RegExp]> = [
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['10.1.2.3', /private \(10\.0\.0\.0\/8\)/],
    ['100.64.0.1', /CGNAT/],
    ['100.127.255.254', /CGNAT/],
    ['127.0.0.1', /loopback \(127\.0\.0\.0\/8\)/],
    ['127.255.255.254', /loopback/],
    ['169.254.169.254', /link-local \(cloud metadata\)/],
    ['172.16.0.1', /private \(172\.16\.0\.0\/12\)/],
    ['172.31.255.254', /private/],
    ['192.0.0.170', /IETF/],
    ['192.168.1.1', /private \(192\.168\.0\.0\/16\)/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.254', /benchmarking/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback \(::1\/128\)/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['fd00:ec2::254', /unique local.*AWS metadata/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /loopback \(127\.0\.0\.0\/8\)/],
    ['::ffff:7f00:1', /loopback/],
    ['::ffff:169.254.169.254', /metadata/],
    ['::ffff:10.0.0.1', /private/],
    ['64:ff9b::127.0.0.1', /loopback \(127\.0\.0\.0\/8\) behind NAT64/],
    ['64:ff9b::a9fe:a9fe', /metadata.*NAT64/],
    ['localhost', /not an IP address/],
    ['', /not an IP address/],
  ];

  it('lets public addresses through', () => {
    for (const address of allowed) assert.equal(forbiddenAddress(address), undefined, address);
  });

  it('names the range of each forbidden address', () => {
    for (const [address, reason] of forbidden) assert.match(forbiddenAddress(address) ?? 'allowed', reason, address);
  });
});

describe('outbound HTTP', () => {
  let receiver: Receiver;
  let open: OutboundHttp;
  let guarded: OutboundHttp;

  before(async () => {
    receiver = await startReceiver({
      '/hook': (res, { body }) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${body}`),
      '/moved-307': (res) => res.writeHead(307, { location: '/hook' }).end(),
      '/moved-308': (res) => res.writeHead(308, { location: `${receiver.origin}/hook` }).end(),
      '/moved-302': (res) => res.writeHead(302, { location: '/hook' }).end('found elsewhere'),
      '/loop': (res) => res.writeHead(307, { location: '/loop' }).end(),
      '/to-localhost': (res) => res.writeHead(307, { location: `http://localhost:${receiver.port}/hook` }).end(),
      '/to-metadata': (res) => res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      '/to-file': (res) => res.writeHead(307, { location: 'file:///etc/passwd' }).end(),
      '/cross-origin': (res) => res.writeHead(307, { location: `http://localhost:${receiver.port}/hook` }).end(),
      '/large': (res) => res.writeHead(200).end('€'.repeat(1_000_000)),
      '/medium': (res) => res.writeHead(200).end('x'.repeat(10_000)),
      '/silent': () => {},
      '/slow-body': (res) => {
        res.writeHead(200);
        res.write('the start');
      },
    });
    open = createOutboundHttp({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    guarded = createOutboundHttp({ allowedHosts: [], timeoutMs: 2_000 });
  });

  after(async () => {
    await Promise.all([open?.close(), guarded?.close()]);
    await receiver?.close();
  });

  it('refuses loopback by default, before sending anything', async () => {
    const before = receiver.received.length;
    const error = await refusal(guarded.post(`${receiver.origin}/hook`, json));
    assert.match(error.reason, /127\.0\.0\.1 is loopback \(127\.0\.0\.0\/8\)/);
    assert.match(error.message, /^outbound request refused: /);
    assert.equal(receiver.received.length, before);
  });

  it('delivers to a host listed in allowedHosts', async () => {
    const response = await open.post(`${receiver.origin}/hook`, { headers: { ...json.headers, 'x-signature': 'sig' }, body: json.body });
    assert.equal(response.status, 200);
    assert.equal(response.bodyExcerpt, `got ${json.body}`);
    assert.ok(response.latencyMs >= 0);
    const last = receiver.received.at(-1)!;
    assert.equal(last.method, 'POST');
    assert.equal(last.headers['x-signature'], 'sig');
  });

  it('refuses a name that resolves to loopback when only the address is allowed', async () => {
    const error = await refusal(open.post(`http://localhost:${receiver.port}/hook`, json));
    assert.match(error.reason, /^localhost resolves to (127\.0\.0\.1|::1): loopback/);
  });

  it('refuses IP literals in every spelling of a forbidden address', async () => {
    const mapped = await refusal(guarded.post(`http://[::ffff:127.0.0.1]:${receiver.port}/hook`, json));
    assert.match(mapped.reason, /::ffff:7f00:1 is loopback/);
    const decimal = await refusal(guarded.post(`http://2130706433:${receiver.port}/hook`, json));
    assert.match(decimal.reason, /127\.0\.0\.1 is loopback/);
    const metadata = await refusal(guarded.post('http://169.254.169.254/latest/meta-data/', json));
    assert.match(metadata.reason, /cloud metadata/);
    await refusal(guarded.post(`http://[::1]:${receiver.port}/hook`, json));
  });

  it('refuses schemes other than http and https, and malformed URLs', async () => {
    assert.match((await refusal(open.post('file:///etc/passwd', json))).reason, /only http: and https:.*file:/);
    assert.match((await refusal(open.post('ftp://127.0.0.1/hook', json))).reason, /ftp:/);
    assert.match((await refusal(open.post('not a url', json))).reason, /not a valid URL/);
  });

  it('follows 307 and 308 with the same method and body', async () => {
    for (const path of ['/moved-307', '/moved-308']) {
      const before = receiver.received.length;
      const response = await open.post(`${receiver.origin}${path}`, json);
      assert.equal(response.status, 200, path);
      assert.equal(response.bodyExcerpt, `got ${json.body}`);
      const [first, second] = receiver.received.slice(before);
      assert.deepEqual([first?.url, second?.url], [path, '/hook']);
      assert.equal(second?.method, 'POST');
      assert.equal(second?.body, json.body);
    }
  });

  it('answers 301, 302 and 303 to a POST with the redirect itself, not following it', async () => {
    const before = receiver.received.length;
    const response = await open.post(`${receiver.origin}/moved-302`, json);
    assert.equal(response.status, 302);
    assert.equal(response.bodyExcerpt, 'found elsewhere');
    assert.equal(receiver.received.length, before + 1);
  });

  it('stops after maxRedirects and answers with the last redirect', async () => {
    const client = createOutboundHttp({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000, maxRedirects: 2 });
    try {
      const before = receiver.received.length;
      const response = await client.post(`${receiver.origin}/loop`, json);
      assert.equal(response.status, 307);
      assert.equal(receiver.received.length, before + 3, 'the request and two redirects');
    } finally {
      await client.close();
    }
  });

  it('refuses a redirect from an allowed host to a forbidden address', async () => {
    const before = receiver.received.length;
    const toName = await refusal(open.post(`${receiver.origin}/to-localhost`, json));
    assert.match(toName.reason, /^localhost resolves to/);
    const toMetadata = await refusal(open.post(`${receiver.origin}/to-metadata`, json));
    assert.match(toMetadata.reason, /169\.254\.169\.254 is link-local \(cloud metadata\)/);
    const toFile = await refusal(open.post(`${receiver.origin}/to-file`, json));
    assert.match(toFile.reason, /file:/);
    assert.deepEqual(receiver.received.slice(before).map(({ url }) => url), ['/to-localhost', '/to-metadata', '/to-file']);
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const client = createOutboundHttp({ allowedHosts: ['127.0.0.1', 'LocalHost'], timeoutMs: 2_000 });
    try {
      const headers = { ...json.headers, authorization: 'Bearer secret', 'x-signature': 'sig' };
      const response = await client.post(`${receiver.origin}/cross-origin`, { headers, body: json.body });
      assert.equal(response.status, 200);
      const [first, second] = receiver.received.slice(-2);
      assert.equal(first?.headers.authorization, 'Bearer secret');
      assert.equal(second?.headers.authorization, undefined);
      assert.equal(second?.headers['x-signature'], 'sig');
      assert.equal(second?.headers.host, `localhost:${receiver.port}`);
    } finally {
      await client.close();
    }
  });

  it('keeps 1 KB of a long body, decoded lossily, and closes the connection rather than read it all', async () => {
    const client = createOutboundHttp({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    try {
      const before = receiver.received.length;
      const first = await client.post(`${receiver.origin}/large`, json);
      assert.equal(first.status, 200);
      assert.equal(first.bodyExcerpt, `${'€'.repeat(341)}\uFFFD`, '1024 bytes: 341 three-byte characters and a third of one');
      for (let i = 0; i < 3; i += 1) await client.post(`${receiver.origin}/large`, json);
      assert.equal(receiver.connectionsSince(before), 4, 'a 3 MB body is not drained: each connection is closed');
    } finally {
      await client.close();
    }
  });

  it('reads a body of a few KB to its end, so that the connection is reused', async () => {
    const client = createOutboundHttp({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    try {
      const before = receiver.received.length;
      const first = await client.post(`${receiver.origin}/medium`, json);
      assert.equal(first.bodyExcerpt, 'x'.repeat(1024));
      for (let i = 0; i < 3; i += 1) await client.post(`${receiver.origin}/medium`, json);
      // undici's pool may open a second connection while the first is being released.
      assert.ok(receiver.connectionsSince(before) <= 2, `${receiver.connectionsSince(before)} connections for 4 requests`);
    } finally {
      await client.close();
    }
  });

  it('times out the whole exchange, headers and body', async () => {
    const client = createOutboundHttp({ allowedHosts: ['127.0.0.1'], timeoutMs: 200 });
    try {
      for (const path of ['/silent', '/slow-body']) {
        const started = performance.now();
        await assert.rejects(client.post(`${receiver.origin}${path}`, json), (error: Error) => {
          assert.equal(error.name, 'TimeoutError');
          assert.match(error.message, /timed out after 200 ms/);
          return true;
        });
        const elapsed = performance.now() - started;
        assert.ok(elapsed >= 190 && elapsed < 1_500, `${path}: ${elapsed} ms`);
      }
    } finally {
      await client.close();
    }
  });

  it('refuses allowedHosts entries that are not a host or an address', () => {
    assert.throws(() => createOutboundHttp({ allowedHosts: ['localhost:3000'], timeoutMs: 1_000 }), /allowedHosts: "localhost:3000"/);
    assert.throws(() => createOutboundHttp({ allowedHosts: ['http://localhost'], timeoutMs: 1_000 }), /allowedHosts/);
    assert.doesNotThrow(() => createOutboundHttp({ allowedHosts: ['[::1]', '::1', 'Hooks.Example.TEST'], timeoutMs: 1_000 }).close());
  });
});
