// The last picture that reached each mask builder, so its region editor can draw the rectangles over
// the real image. Only a reference is kept per node; the thumbnail is made when an editor asks
// for it (most inputs are never looked at), and a picture known only by URL is handed to the
// browser to load itself: the mask builder has no account to download with.
import type { NodeAPI } from 'node-red';
import { makeThumbnail, thumbnailDataUrl } from '../../core/image/thumbnail';

/** Large enough to place regions precisely in the dialog, small enough to send to the browser. */
const EDITOR_SIDE = 480;

export interface LastImageAnswer {
  /** A data URL of a thumbnail of msg.image. */
  image?: string;
  /** Size of the original picture, when known. */
  width?: number;
  height?: number;
  /** The result's imageUrl, when the msg carried no picture. */
  url?: string;
}
// `{}` means no picture has reached the node since it was deployed.

interface Entry {
  image?: unknown;
  url?: string;
  answer?: Promise<LastImageAnswer>;
}

export class LastImageStore {
  readonly #entries = new Map<string, Entry>();

  /** msg.image first: it is the picture the mask is sized after. */
  remember(nodeId: string, msg: Record<string, unknown>): void {
    if (Buffer.isBuffer(msg.image) || (typeof msg.image === 'string' && msg.image.length > 0)) {
      this.#entries.set(nodeId, { image: msg.image });
    } else if (typeof msg.imageUrl === 'string' && /^https?:\/\//i.test(msg.imageUrl)) {
      this.#entries.set(nodeId, { url: msg.imageUrl });
    }
  }

  forget(nodeId: string): void {
    this.#entries.delete(nodeId);
  }

  /** Undefined when nothing reached the node; rejects when msg.image is not a readable picture. */
  describe(nodeId: string): Promise<LastImageAnswer> | undefined {
    const entry = this.#entries.get(nodeId);
    if (!entry) return undefined;
    if (entry.url) return Promise.resolve({ url: entry.url });
    entry.answer ??= makeThumbnail(entry.image, { maxSide: EDITOR_SIDE, format: 'jpeg' }).then(
      (thumbnail) => {
        // The thumbnail replaces the original: a large Buffer need not stay alive for the dialog.
        entry.image = undefined;
        return {
          image: thumbnailDataUrl(thumbnail),
          width: thumbnail.sourceWidth,
          height: thumbnail.sourceHeight,
        };
      },
    );
    return entry.answer;
  }
}

/** `GET <admin>/nextleg-mask-builder/<nodeId>/last-image` for the mask builder's dialog. */
export function registerLastImageEndpoint(RED: NodeAPI, store: LastImageStore): void {
  RED.httpAdmin.get(
    '/nextleg-mask-builder/:id/last-image',
    RED.auth.needsPermission('nextleg-mask-builder.read'),
    (req, res) => {
      const answer = store.describe(String(req.params.id));
      // Nothing yet is an ordinary answer, not an error: the dialog asks every time it opens.
      if (!answer) {
        res.json({});
        return;
      }
      answer.then(
        (body) => res.json(body),
        (err: unknown) => {
          RED.log.debug(`mask builder last image: ${(err as Error).message}`);
          res.status(422).json({ error: 'The last msg.image is not a PNG, JPEG or WebP picture' });
        },
      );
    },
  );
}
