// A loopback stand-in for a TNL-compatible service whose finished jobs point at pictures the test
// chooses (the sandbox only ever draws its own): GET /v2/message/<name> answers a finished result
// whose imageUrl is /pictures/<name>, which serves the bytes registered under that name.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PictureHost {
  url: string;
  /** Serves `bytes` as /pictures/<name>; a finished job of id <name> points there. */
  put(name: string, bytes: Buffer, contentType?: string): void;
  /** How many times /pictures/<name> was requested. */
  downloads(name: string): number;
  close(): Promise<void>;
}

export async function startPictureHost(): Promise<PictureHost> {
  const pictures = new Map<string, { bytes: Buffer; type: string }>();
  const counts = new Map<string, number>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const job = /^\/v2\/message\/([\w-]+)$/.exec(path);
    if (job) {
      const name = job[1] as string;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          progress: 100,
          response: {
            content: `picture ${name}`,
            imageUrl: `${base}/pictures/${name}`,
            buttons: ['U1', 'U2', 'U3', 'U4'],
            buttonMessageId: `${name}-buttons`,
            type: 'imagine',
          },
        }),
      );
      return;
    }
    const picture = /^\/pictures\/([\w-]+)$/.exec(path);
    const entry = picture ? pictures.get(picture[1] as string) : undefined;
    if (!picture || !entry) {
      res.statusCode = 404;
      res.end();
      return;
    }
    counts.set(picture[1] as string, (counts.get(picture[1] as string) ?? 0) + 1);
    res.setHeader('content-type', entry.type);
    res.setHeader('content-length', entry.bytes.length);
    res.end(entry.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    put(name, bytes, contentType = 'image/png') {
      pictures.set(name, { bytes, type: contentType });
    },
    downloads: (name) => counts.get(name) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
