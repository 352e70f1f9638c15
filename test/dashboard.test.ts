import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHttpServer, type RunningHttpServer } from '../infra/http/http-server.js';
import { createLogger } from '../infra/logger.js';
import { fromRoot } from '../infra/paths.js';
import { DASHBOARD_BUILD_DIR, dashboardRoutes } from '../router/dashboard-route.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { roleToken } from './support/tokens.js';

/** Where a screenshot goes: the README's copy in docs/ with UPDATE_SCREENSHOTS=true, else the temporary folder. */
function screenshotPath(name: string): string {
  return process.env.UPDATE_SCREENSHOTS === 'true' ? fromRoot(`docs/${name}`) : join(tmpdir(), `interchange-${name}`);
}

/**
 * The operator dashboard. The /dashboard route without a browser, over a build of our own in a
 * temporary folder (and the real build through the router); then the page itself, in Debian's
 * Chromium driven by playwright-core, against the whole hub with its health subgraph: it must
 * show the hub's health, charts with data and, after a mutation, that mutation's event in the
 * live tail, and fit a phone's width. The screenshots it takes are the README's: written to docs/
 * with UPDATE_SCREENSHOTS=true, else to the temporary folder, so a test run changes no tracked file.
 */

/**
 * The browser's globals, as far as the functions this file runs in the page use them: the tests are
 * checked with Node's lib, which has no DOM (and adding it would let DOM types into the Node code).
 */
interface PageElement {
  id: string;
  className: string;
  tagName: string;
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getBoundingClientRect(): { left: number; right: number; width: number };
}
declare const document: {
  documentElement: { scrollWidth: number };
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: { innerWidth: number };
declare const sessionStorage: { length: number };

const CHROMIUM = '/usr/bin/chromium';
/** Without Chromium the browser tests say why they did not run; under CI they fail (.ci/run installs it). */
const noBrowser = !existsSync(CHROMIUM) && process.env.CI !== 'true' && `${CHROMIUM} is missing (apt-get install -y chromium)`;

/** GETs (or sends `method` to) `path` exactly as written: fetch would resolve the `..` that the traversal tests send. */
function send(origin: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the /dashboard route', () => {
  let dir: string;
  let server: RunningHttpServer;

  before(async () => {
    // A build as Vite lays it out: index.html, and hashed assets under assets/.
    dir = mkdtempSync(join(tmpdir(), 'interchange-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("dashboard")');
    writeFileSync(join(dir, 'assets', 'index-def456.css'), 'body{}');
    writeFileSync(join(dir, 'assets', 'notes-abc.md'), 'a file type a build does not have');
    writeFileSync(join(tmpdir(), 'interchange-dashboard-secret.txt'), 'outside the build');
    server = await startHttpServer({ port: 0, host: '127.0.0.1', logger: createLogger('test', 'silent'), routes: dashboardRoutes(dir) });
  });

  after(async () => {
    await server?.close(1_000);
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'interchange-dashboard-secret.txt'), { force: true });
  });

  it('serves index.html at /dashboard and /dashboard/, revalidated every time, under a same-origin Content-Security-Policy', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const page = await send(server.origin, path, { headers: { host: 'hub.example:4000' } });
      assert.equal(page.status, 200, path);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(page.headers['cache-control'], 'no-cache');
      assert.match(page.body, /index-abc123\.js/);
      const policy = String(page.headers['content-security-policy']);
      assert.match(policy, /default-src 'none'/);
      assert.match(policy, /script-src 'self'(;|$)/);
      assert.match(policy, /style-src 'self'(;|$)/);
      assert.match(policy, /connect-src 'self' ws:\/\/hub\.example:4000 wss:\/\/hub\.example:4000(;|$)/);
      assert.match(policy, /frame-ancestors 'none'/);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
    }
  });

  it('names no other host in the policy when the Host header is not a plain host', async () => {
    const page = await send(server.origin, '/dashboard', { headers: { host: 'evil.example; script-src *' } });
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self';/);
  });

  it('serves a hashed asset with its content type, cached for a year', async () => {
    const script = await send(server.origin, '/dashboard/assets/index-abc123.js');
    assert.equal(script.status, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(script.body, 'console.log("dashboard")');
    const style = await send(server.origin, '/dashboard/assets/index-def456.css');
    assert.equal(style.headers['content-type'], 'text/css; charset=utf-8');
    const again = await send(server.origin, '/dashboard/assets/index-abc123.js', { headers: { 'if-none-match': String(script.headers.etag) } });
    assert.equal(again.status, 304);
    const head = await send(server.origin, '/dashboard/assets/index-abc123.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String('console.log("dashboard")'.length));
  });

  it('has no route for a path outside the build, plain or encoded', async () => {
    for (const path of [
      '/dashboard/../package.json',
      '/dashboard/assets/../../package.json',
      '/dashboard/assets/..%2f..%2fpackage.json',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/assets/%2e%2e%2f%2e%2e%2f..%2finterchange-dashboard-secret.txt',
      '/dashboard/..\\..\\package.json',
      '/dashboard//etc/passwd',
    ]) {
      const answer = await send(server.origin, path);
      assert.equal(answer.status, 404, path);
      assert.doesNotMatch(answer.body, /"name": "interchange"|outside the build|root:/, path);
    }
  });

  it('answers 404 for an unknown asset, a file type a build does not have, and a file written after it started', async () => {
    writeFileSync(join(dir, 'assets', 'later-abc.js'), 'written after the routes were made');
    for (const path of ['/dashboard/assets/index-000000.js', '/dashboard/assets/notes-abc.md', '/dashboard/assets/later-abc.js', '/dashboard/index.html', '/dashboard/assets/']) {
      assert.equal((await send(server.origin, path)).status, 404, path);
    }
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const answer = await send(server.origin, '/dashboard', { method: 'POST' });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, 'GET, HEAD');
  });

  it('says how to build the page when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'interchange-dashboard-empty-'));
    const bare = await startHttpServer({ port: 0, host: '127.0.0.1', logger: createLogger('test', 'silent'), routes: dashboardRoutes(join(empty, 'missing')) });
    try {
      for (const path of ['/dashboard', '/dashboard/']) {
        const answer = await send(bare.origin, path);
        assert.equal(answer.status, 503, path);
        assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
        assert.match(answer.body, /run npm run build:dashboard/);
      }
      assert.equal((await send(bare.origin, '/dashboard/assets/index-abc123.js')).status, 404);
    } finally {
      await bare.close(1_000);
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the dashboard in the hub', () => {
  let hub: TestHub;
  let origin: string;
  let counter = 0;
  const unique = () => `${Date.now()}${++counter}`;

  const createCustomer = async () => {
    const tag = unique();
    const { createCustomer: created } = await hub.query<{ createCustomer: { id: string } }>(
      'mutation DashboardTestCustomer($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
      { input: { name: `Dashboard ${tag}`, email: `dashboard-${tag}@example.com` } },
    );
    return created.id;
  };

  before(async () => {
    // npm test builds the page first; a test file run on its own builds it when there is none.
    if (!existsSync(join(DASHBOARD_BUILD_DIR, 'index.html'))) execFileSync('npm', ['run', '--silent', 'build:dashboard'], { cwd: fromRoot(), stdio: 'inherit' });
    // Health checks (and so traffic points) every half second, for the charts to fill within the test;
    // one alert rule, which the queue's dead letter below sets off at the first check that sees it.
    hub = await startTestHub({
      env: {
        HEALTH_CHECK_INTERVAL_MS: '500',
        HEALTH_ALERT_RULES: JSON.stringify([{ name: 'dead-letters', metric: 'deadLetters', above: 0, severity: 'WARNING' }]),
        // The outage test's circuit to the health subgraph closes again soon after it is back.
        SUBGRAPH_BREAKER_RESET_MS: '1000',
      },
    });
    origin = new URL(hub.routerUrl).origin;
  });

  after(async () => {
    await hub?.stop();
  });

  it('serves the built page and its script from the router, to anyone', async () => {
    const page = await fetch(`${origin}/dashboard`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const script = /<script type="module" crossorigin src="(\/dashboard\/assets\/[\w.-]+\.js)"/.exec(html)?.[1];
    assert.ok(script, `no module script in ${html.slice(0, 400)}`);
    assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ws://${new URL(origin).host} wss://${new URL(origin).host}`));
    const asset = await fetch(`${origin}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  });

  describe('in Chromium', { skip: noBrowser }, () => {
    let browser: Browser;
    let traffic: { stop(): Promise<void> } | undefined;
    /** What the page logged as an error or threw: a Content-Security-Policy refusal shows up here. */
    const pageErrors: string[] = [];

    before(async () => {
      assert.ok(existsSync(CHROMIUM), `the dashboard's browser tests need Debian's Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      // Traffic through the router while the page is open (the charts' requests per second and latency).
      let running = true;
      const loop = (async () => {
        while (running) {
          await hub.request('query DashboardTestTraffic { customers(first: 5) { totalCount } }').catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      traffic = {
        async stop() {
          running = false;
          await loop;
        },
      };
      await createCustomer();
      // A queue with two messages waiting and one dead letter, for the queues panel.
      await hub.query('mutation { createQueue(input: { name: "dashboard-orders", kind: STANDARD }) { name } }');
      await hub.query('mutation ($inputs: [PublishMessageInput!]!) { publishMessages(queue: "dashboard-orders", inputs: $inputs) { id } }', { inputs: [1, 2, 3].map((n) => ({ payload: { n } })) });
      const { receiveMessages } = await hub.query<{ receiveMessages: { receipt: string }[] }>('mutation { receiveMessages(queue: "dashboard-orders", max: 1) { receipt } }');
      await hub.query('mutation ($receipts: [String!]!) { nackMessages(receipts: $receipts, deadLetter: true, error: "dashboard test") }', { receipts: receiveMessages.map((received) => received.receipt) });
    });

    after(async () => {
      await traffic?.stop();
      await browser?.close();
    });

    /** A page of its own at `width`x`height`, watched for errors, opened with `token` in the fragment. */
    async function open(token: string | undefined, width: number, height: number): Promise<Page> {
      const page = await browser.newPage({ viewport: { width, height } });
      page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
      });
      await page.goto(`${origin}/dashboard${token === undefined ? '' : `#token=${encodeURIComponent(token)}`}`);
      return page;
    }

    /** Waits until every chart holds points. */
    async function chartsFilled(page: Page): Promise<void> {
      await page.waitForFunction(
        () => {
          const charts = [...document.querySelectorAll('[data-chart]')];
          return charts.length === 4 && charts.every((chart) => Number(chart.dataset.points) > 0);
        },
        undefined,
        { timeout: 30_000 },
      );
    }

    /** Waits until each panel has shown its data; fails with what the others show instead. */
    async function panelsShowData(page: Page, panels: string[]): Promise<void> {
      const states = () =>
        page.evaluate(
          (ids) => ids.map((id) => ({ id, state: document.getElementById(`${id}-panel`)?.dataset.state, error: document.querySelector(`#${id}-panel .panel-error`)?.textContent ?? '' })),
          panels,
        );
      const deadline = Date.now() + 15_000;
      let seen = await states();
      while (seen.some((panel) => panel.state !== 'ok') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen = await states();
      }
      assert.deepEqual(seen.filter((panel) => panel.state !== 'ok'), [], 'panels without their data');
    }

    it('shows the health of every component, charts with data, and a mutation\'s event in the live tail', { timeout: 90_000 }, async () => {
      const page = await open(await roleToken('readonly'), 1440, 900);
      // The token leaves the address bar at once, and stays in the tab's sessionStorage.
      assert.equal(new URL(page.url()).hash, '');
      await page.locator('#health-panel tr[data-component="subgraph:customers"]').waitFor({ timeout: 30_000 });
      assert.match((await page.locator('#overall').textContent()) ?? '', /^(UP|DEGRADED|DOWN)$/);
      const components = await page.locator('#health-panel tr[data-component]').evaluateAll((rows) => rows.map((row) => (row as PageElement).dataset.component));
      for (const name of ['router', 'postgresql', 'subgraph:orders', 'event-store']) assert.ok(components.includes(name), `${name} among ${components.join(', ')}`);

      await chartsFilled(page);
      const points = await page.locator('[data-chart]').evaluateAll((charts) => Object.fromEntries(charts.map((chart) => [(chart as PageElement).dataset.chart, Number((chart as PageElement).dataset.points)])));
      assert.deepEqual(Object.keys(points).sort(), ['cacheHitRatio', 'errorRate', 'p95LatencyMs', 'requestRate']);
      // The charts are drawn: uPlot's canvas has the container's width.
      const canvasWidth = await page.locator('[data-chart="requestRate"] canvas').first().evaluate((canvas) => (canvas as PageElement).getBoundingClientRect().width);
      assert.ok(canvasWidth > 200, `request-rate canvas ${canvasWidth}px wide`);
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-chart="requestRate"] .latest')?.textContent ?? ''), undefined, { timeout: 15_000 });
      // Every panel got its data: none shows an error.
      await panelsShowData(page, ['health', 'traffic', 'cache', 'queues', 'alerts']);
      const queue = page.locator('#queues-panel tr[data-queue="queue:dashboard-orders"]');
      await queue.waitFor({ timeout: 15_000 });
      assert.deepEqual(await queue.locator('td').allTextContents(), ['dashboard-orders', '2', '1', 'DEGRADED']);
      const alert = page.locator('#alerts-panel li[data-severity="WARNING"]');
      await alert.waitFor({ timeout: 15_000 });
      assert.match((await alert.textContent()) ?? '', /dead-letters.*queue:dashboard-orders/);

      // Live: once the socket is open (and the subscription has reached the health subgraph), a new customer's event appears.
      await page.locator('#connection[data-state="open"]').waitFor({ timeout: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const customerId = await createCustomer();
      const row = page.locator(`#events-panel tr[data-type="customer.created"][data-subject-id="${customerId}"]`);
      await row.waitFor({ timeout: 15_000 });
      assert.match((await row.textContent()) ?? '', /customer\.created/);
      // The events that follow go on top.
      const { placeOrder } = await hub.query<{ placeOrder: { id: string } }>('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
        input: { customerId, currency: 'EUR', lines: [{ sku: 'DASH-1', quantity: 2, unitPrice: '4.50' }] },
      });
      await page.locator(`#events-panel tr[data-type="order.placed"][data-subject-id="${placeOrder.id}"]`).waitFor({ timeout: 15_000 });
      const tail = await page.locator('#events-panel tbody tr').evaluateAll((rows) => rows.map((tr) => (tr as PageElement).dataset.subjectId));
      assert.ok(tail.indexOf(placeOrder.id) < tail.indexOf(customerId), `the order's event above the customer's: ${tail.join(', ')}`);

      await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true, animations: 'disabled' });

      // A reload keeps the session: the token is in sessionStorage, not in the URL.
      await page.reload();
      await page.locator('#health-panel tr[data-component]').first().waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('#sign-in').isHidden(), true);
      assert.deepEqual(pageErrors, []);
      await page.close();
    });

    it('fits a 390px wide window in one column, without scrolling sideways', { timeout: 60_000 }, async () => {
      const page = await open(await roleToken('admin'), 390, 844);
      await chartsFilled(page);
      await page.locator('#health-panel tr[data-component]').first().waitFor({ timeout: 15_000 });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        width: window.innerWidth,
        overflowing: [...document.querySelectorAll('.panel, .panel table, .plot canvas')]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
          .map((element) => element.id || element.className || element.tagName),
        columns: new Set([...document.querySelectorAll('.panel')].map((panel) => Math.round(panel.getBoundingClientRect().left))).size,
      }));
      assert.ok(layout.scrollWidth <= layout.width, `the page is ${layout.scrollWidth}px wide in a ${layout.width}px window`);
      assert.deepEqual(layout.overflowing, []);
      assert.equal(layout.columns, 1, 'every panel starts at the same left edge');
      await page.screenshot({ path: screenshotPath('dashboard-narrow.png'), animations: 'disabled' });
      assert.deepEqual(pageErrors, []);
      await page.close();
    });

    it('asks for credentials without a token, and shows the panels once one is given in the form', { timeout: 60_000 }, async () => {
      const page = await open(undefined, 1024, 768);
      await page.locator('#sign-in').waitFor();
      assert.equal(await page.locator('#panels').isHidden(), true);
      await page.fill('#token', await roleToken('readonly'));
      await page.click('#sign-in button[type="submit"]');
      await page.locator('#health-panel tr[data-component]').first().waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('#sign-in').isHidden(), true);
      await page.close();
    });

    it('shows the form again, saying why, when the hub refuses the token or it lacks health:read', { timeout: 60_000 }, async () => {
      const refused = await open('not-a-token', 1024, 768);
      await refused.locator('#sign-in-message').waitFor();
      assert.match((await refused.locator('#sign-in-message').textContent()) ?? '', /refused/);
      assert.equal(await refused.locator('#panels').isHidden(), true);
      assert.equal(await refused.evaluate(() => sessionStorage.length), 0, 'a refused token is not kept');
      await refused.close();

      const unscoped = await open(await roleToken('api_user'), 1024, 768);
      await unscoped.locator('#sign-in-message').waitFor();
      assert.match((await unscoped.locator('#sign-in-message').textContent()) ?? '', /health:read/);
      await unscoped.close();
    });

    it('keeps the page while the health subgraph is down, saying so in each panel, and resumes the tail where it stopped', { timeout: 90_000 }, async () => {
      const page = await open(await roleToken('readonly'), 1024, 768);
      await panelsShowData(page, ['health', 'traffic', 'alerts']);
      await page.locator('#connection[data-state="open"]').waitFor({ timeout: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await createCustomer();
      await page.locator(`#events-panel tr[data-subject-id="${before}"]`).waitFor({ timeout: 15_000 });

      await hub.stopSubgraph('health');
      for (const panel of ['health', 'traffic', 'alerts']) {
        await page.waitForFunction((id) => document.getElementById(id)?.dataset.state === 'error', `${panel}-panel`, { timeout: 20_000 });
      }
      assert.equal(await page.locator('#sign-in').isHidden(), true, 'an outage is not a reason to sign in again');
      assert.ok((await page.locator('#health-panel tr[data-component]').count()) > 0, 'what the panel showed stays');
      // Committed while nothing could tell the page: the tail gets it once its subscription is back.
      const during = await createCustomer();

      await hub.restartSubgraph('health');
      await panelsShowData(page, ['health', 'traffic', 'alerts']);
      await page.locator(`#events-panel tr[data-type="customer.created"][data-subject-id="${during}"]`).waitFor({ timeout: 45_000 });
      assert.equal(await page.locator(`#events-panel tr[data-subject-id="${before}"]`).count(), 1, 'the event before the outage is shown once');
      await page.close();
    });
  });
});
