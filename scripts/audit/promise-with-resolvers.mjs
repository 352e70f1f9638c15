// Promise.withResolvers arrived in Node 22; the federation gateway audit's server and CLI call it.
// scripts/federation-audit.ts preloads this file (node --import) into the audit's process.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve, reject;
      const promise = new this((res, rej) => ((resolve = res), (reject = rej)));
      return { promise, resolve, reject };
    },
  });
}
