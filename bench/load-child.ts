// Fires the API load from its own process so the load generator does not share an event loop with the server.
// argv: <baseUrl> <connections> <seconds> <path>...   prints autocannon's result as JSON.
import autocannon from 'autocannon';

const [url, connections, seconds, ...paths] = process.argv.slice(2);
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  // Each connection cycles through these requests, so many users and items are asked for, not one cached path.
  requests: paths.map((path) => ({ method: 'GET', path })),
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: result.statusCodeStats,
  }),
);
