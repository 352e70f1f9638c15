/**
 * The federation benchmark's subgraphs as a process of their own: started by `npm run bench`,
 * which reads their URLs from the IPC message sent once they listen. Without an IPC channel
 * (run by hand) it prints the URLs and the supergraph.
 */
import { composeFederationSupergraph, startFederationSubgraphs } from './subgraphs.js';

const running = await startFederationSubgraphs({ memoise: process.env.BENCH_SUBGRAPH_MEMO !== 'false', port: Number(process.env.PORT ?? 0) });
if (process.send) process.send({ urls: running.urls });
else console.log(JSON.stringify(running.urls), '\n', composeFederationSupergraph(running.urls));
const stop = () => void running.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
// The bench asks how many requests the subgraphs have answered, to count them per operation.
process.on('message', () => process.send?.({ requests: running.requests }));
