// One POST of the flat result per finished job; failures are ignored and never retried, as TNL did.
import http from 'node:http';
import https from 'node:https';

export class WebhookSender {
  private readonly pending = new Set<http.ClientRequest>();

  send(url: string, body: unknown): void {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return;
    }
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!client) return;
    const payload = Buffer.from(JSON.stringify(body));
    const req = client.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': payload.length },
      timeout: 10_000,
      // One request per job: a kept-alive connection would only hold the receiver open.
      agent: false,
    });
    this.pending.add(req);
    const forget = (): void => {
      this.pending.delete(req);
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', forget);
      res.on('error', forget);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', forget);
    req.on('close', forget);
    req.end(payload);
  }

  close(): void {
    for (const req of this.pending) req.destroy();
    this.pending.clear();
  }
}
