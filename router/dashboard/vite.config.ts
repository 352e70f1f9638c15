import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * `npm run build:dashboard`: the operator page from router/dashboard/ into dist/dashboard/, which
 * the router serves at /dashboard (router/dashboard-route.ts). The base is that path, so the
 * built page's asset URLs are `/dashboard/assets/<name>-<hash>.js` whether the page was opened as
 * /dashboard or /dashboard/. Everything is bundled: the page loads nothing from elsewhere.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  logLevel: 'warn',
  clearScreen: false,
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // The browsers the README names: Chromium, Firefox and WebKit of the last few years.
    target: ['chrome111', 'firefox115', 'safari16.4'],
    // Every file a file of its own, no data: URLs, which the page's Content-Security-Policy would refuse.
    assetsInlineLimit: 0,
    // One entry, no lazy chunks: the module preload polyfill would be dead code.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
