// The sandbox's own pages, beside the APIs: the pictures (a stand-in for Midjourney's CDN), the
// request log and the job list. No token, no faults, no limits; never a token or a secret in them.
import type { JobEngine } from './engine/engine';
import { json, picture } from './http/answer';
import type { RequestLog } from './http/request-log';
import { BODY_LIMITS, type AuthResult, type Refusals, type Route, type RouteSet } from './http/route-set';
import type { ImageStore } from './images';
import { TNL_REFUSALS } from './v2/tnl-routes';

export class SandboxPages implements RouteSet {
  private readonly table: Route[];

  constructor(engine: JobEngine, images: ImageStore, log: RequestLog, refuseDirectImages: () => boolean) {
    const page = { endpoint: 'page', bodyLimit: BODY_LIMITS.none, open: true } as const;
    this.table = [
      { ...page, methods: ['GET'], pattern: '/_sandbox/requests', handle: () => json(200, log.list()) },
      { ...page, methods: ['GET'], pattern: '/_sandbox/jobs', handle: () => json(200, engine.summaries()) },
      {
        ...page,
        methods: ['GET', 'HEAD'],
        pattern: '/images/:file',
        handle: async (request) => {
          if (refuseDirectImages()) return json(403, { success: false, msg: 'Forbidden' });
          const png = images.png(request.params.file ?? '');
          if (!png) return json(404, { success: false, msg: 'Not found' });
          return picture(await png, 'image/png', request.headers.range, {
            'cache-control': 'public, max-age=86400',
          });
        },
      },
    ];
  }

  localPath(path: string): string | undefined {
    return path.startsWith('/_sandbox/') || path.startsWith('/images/') ? path : undefined;
  }

  routes(): readonly Route[] {
    return this.table;
  }

  authenticate(): AuthResult {
    return { ok: true, via: 'none' };
  }

  refusals(): Refusals {
    return TNL_REFUSALS;
  }
}
