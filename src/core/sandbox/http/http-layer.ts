// The HTTP layer both route sets share (node:http only, as it ships in the package's runtime). Each
// request goes the same way: find its route, check its token from the headers, read its body up to
// the route's ceiling, log a summary, apply injected faults and rate limits, then let the route
// answer. A request refused before its body is read never has that body read: the connection is
// closed after the answer, so a flood of large unauthenticated bodies costs almost nothing.
import http from 'node:http';
import type { Socket } from 'node:net';
import { isoNow } from '../ids';
import type { Clock } from '../engine/clock';
import type { HttpAnswer } from './answer';
import { declaredTooLarge, hasBody, readBody } from './body';
import type { EndpointClass, Fault, FaultInjector } from './faults';
import {
  clipPath,
  summariseBody,
  summariseQuery,
  type RequestLog,
  type SandboxRequestLogEntry,
} from './request-log';
import { matchRoute, type Refusals, type RouteSet } from './route-set';

/** Bytes of an unread body drained before the connection is cut, so a small refused request still reads its answer. */
const DRAIN_BYTES = 64 * 1024;

/** One request and its answer, with its log entry. */
interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  entry: SandboxRequestLogEntry;
}

export interface HttpLayerOptions {
  /** Checked in order; the first that serves a path answers it. */
  sets: readonly RouteSet[];
  /** How paths no route set serves are answered. */
  fallback: Refusals;
  log: RequestLog;
  faults: FaultInjector;
  /** 0 when the request may go ahead, else the milliseconds until it may. */
  throttle(endpoint: EndpointClass): number;
  clock: Clock;
}

export class HttpLayer {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private closed: Promise<void> | undefined;
  private ownBase = '';

  constructor(private readonly opts: HttpLayerOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
          res.end(JSON.stringify({ success: false, msg: 'Internal Server Error' }));
        }
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens; resolves with the port and the URL the sandbox calls itself by. */
  async listen(port: number, host: string): Promise<{ port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    const bound = typeof address === 'object' && address ? address.port : 0;
    const urlHost =
      host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.ownBase = `http://${urlHost}:${bound}`;
    return { port: bound, url: this.ownBase };
  }

  /** Stops answering, destroys open sockets (hung ones too) and frees the port. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.closing = true;
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closed;
  }

  /** Where image links point: the host the client used, so a sandbox reached by another name still works. */
  private baseFor(req: http.IncomingMessage): string {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : this.ownBase;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sandbox');
    } catch {
      url = new URL('http://sandbox/');
    }
    const path = url.pathname;
    const entry = this.opts.log.add({
      time: isoNow(),
      method,
      path: clipPath(path),
      query: summariseQuery(url.searchParams),
      auth: 'none',
      status: 0,
    });
    const exchange: Exchange = { req, res, entry };
    const reply = (answer: HttpAnswer): void => this.send(exchange, answer);

    const set = this.opts.sets.find((s) => s.localPath(path) !== undefined);
    const local = set?.localPath(path);
    const found = set && local !== undefined ? matchRoute(set.routes(), method, local) : undefined;
    const refusals = set?.refusals() ?? this.opts.fallback;
    const auth = found?.route.open || !set ? undefined : set.authenticate(req, url);
    if (auth) entry.auth = auth.via;
    if (!found) return reply(refusals.notFound(method, path));
    if (auth && !auth.ok) return reply(auth.answer);
    const { route, params } = found;

    let body: unknown;
    if (hasBody(req)) {
      if (declaredTooLarge(req, route.bodyLimit)) return reply(refusals.tooLarge());
      const read = await readBody(req, route.bodyLimit);
      if (!read.ok) return read.reason === 'too-large' ? reply(refusals.tooLarge()) : this.drop(exchange);
      if (read.bytes.length) {
        try {
          body = JSON.parse(read.bytes.toString('utf8'));
        } catch {
          return reply(refusals.badJson());
        }
        entry.body = summariseBody(body);
      }
    }

    const endpoint = route.endpoint;
    if (endpoint !== 'page') {
      if (this.applyFault(exchange, this.opts.faults.before(endpoint), refusals)) return;
      const latency = this.opts.faults.latencyMs(endpoint);
      if (latency > 0) await new Promise<void>((resolve) => this.opts.clock.after(latency, resolve));
      if (this.closing) return this.drop(exchange);
      const wait = this.opts.throttle(endpoint);
      if (wait > 0) return reply(refusals.rateLimited(Math.max(1, Math.ceil(wait / 1000))));
    }

    const answer = await route.handle({
      method,
      url,
      params,
      body,
      headers: req.headers,
      base: this.baseFor(req),
    });
    if (answer.created && endpoint !== 'page') {
      if (this.applyFault(exchange, this.opts.faults.afterAccept(endpoint), refusals)) return;
    }
    reply(answer);
  }

  private applyFault(exchange: Exchange, fault: Fault, refusals: Refusals): boolean {
    if (!fault) return false;
    if (fault.kind === 'hang') exchange.entry.status = 0;
    else if (fault.kind === 'drop') this.drop(exchange);
    else this.send(exchange, refusals.serverError(fault.status));
    return true;
  }

  private drop({ req, entry }: Exchange): void {
    entry.status = 0;
    req.socket.destroy();
  }

  private send({ req, res, entry }: Exchange, answer: HttpAnswer): void {
    entry.status = answer.status;
    if (res.writableEnded || res.destroyed) return;
    const isJson = answer.raw === undefined;
    const raw = answer.raw ?? '';
    const payload = isJson
      ? Buffer.from(JSON.stringify(answer.body ?? null))
      : Buffer.isBuffer(raw)
        ? raw
        : Buffer.from(raw);
    const contentType = isJson ? 'application/json; charset=utf-8' : answer.contentType;
    const headers: Record<string, string | number> = {
      ...(contentType && payload.length ? { 'content-type': contentType } : {}),
      ...(answer.status === 204 ? {} : { 'content-length': payload.length }),
      ...answer.headers,
    };
    // A body the request still carries is not read: drain a little so a small client reads its
    // answer, then cut the connection rather than take in the rest.
    if (!req.complete) {
      headers.connection = 'close';
      let drained = 0;
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_BYTES) req.socket.destroy();
      });
      req.on('error', () => undefined);
      req.resume();
    }
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' || answer.status === 204 ? undefined : payload);
  }
}
