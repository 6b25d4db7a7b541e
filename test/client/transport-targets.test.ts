import { createTransport } from '../../lib/client/transport';
import { TokenServer } from '../support/token-server';

// The node:http transport works out the request options of a URL once: a URL object that changes
// between requests is still sent where it points at each request.
let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start('/first');
  server.reply({ body: { ok: true } });
});
afterEach(() => server.stop());

it('sends each request to where its URL object points at that moment', async () => {
  const transport = createTransport();
  const url = new URL(server.url);
  const send = () =>
    transport.send({ endpoint: 'API', method: 'GET', url, timeout: 2000, maxBytes: 1024, headers: {} });
  await send();
  url.pathname = '/second';
  url.searchParams.set('page', '2');
  await send();
  await send();
  expect(server.requests.map((request) => request.url)).toEqual(['/first', '/second?page=2', '/second?page=2']);
});
