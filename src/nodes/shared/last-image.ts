// The last picture that reached each mask builder, so its region editor can draw the rectangles over
// the real image. Only a reference is kept per node (none for a picture over the size cap); the
// thumbnail is made in a picture worker when an editor asks for it (most inputs are never looked
// at), and a picture known only by URL is handed to the browser to load itself: the mask builder
// has no account to download with.
import type { NodeAPI } from 'node-red';
import { makeThumbnail, thumbnailDataUrl } from '../../core/image/thumbnail';
import { PICTURE_LIMITS } from '../../core/picture/limits';
import { tooLarge } from '../../core/picture/picture-error';

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
  /** Set instead of `image` for a picture too large to keep. */
  bytes?: number;
  answer?: Promise<LastImageAnswer>;
}

/** Bytes of a Buffer, or of a base64 text once decoded (about). */
function sizeOf(image: Buffer | string): number {
  return typeof image === 'string' ? Math.floor((image.length * 3) / 4) : image.length;
}

export class LastImageStore {
  readonly #entries = new Map<string, Entry>();

  /** msg.image first: it is the picture the mask is sized after. */
  remember(nodeId: string, msg: Record<string, unknown>): void {
    if (Buffer.isBuffer(msg.image) || (typeof msg.image === 'string' && msg.image.length > 0)) {
      const bytes = sizeOf(msg.image);
      // Holding on to a picture the dialog would refuse anyway would only keep its memory alive.
      this.#entries.set(nodeId, bytes > PICTURE_LIMITS.maxInputBytes ? { bytes } : { image: msg.image });
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
    if (entry.bytes !== undefined) {
      const limit = PICTURE_LIMITS.maxInputBytes;
      return Promise.reject(
        tooLarge(`The last msg.image is ${entry.bytes} bytes; the limit is ${limit} bytes`),
      );
    }
    entry.answer ??= makeThumbnail(entry.image, {
      maxSide: EDITOR_SIDE,
      format: 'jpeg',
      field: 'The last msg.image',
    }).then((thumbnail) => {
      // The thumbnail replaces the original: a large Buffer need not stay alive for the dialog.
      entry.image = undefined;
      return {
        image: thumbnailDataUrl(thumbnail),
        width: thumbnail.sourceWidth,
        height: thumbnail.sourceHeight,
      };
    });
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
          const { message, code } = err as { message?: string; code?: unknown };
          RED.log.debug(`mask builder last image: ${message}`);
          res.status(422).json({
            error: message ?? 'The last msg.image is not a PNG, JPEG or WebP picture',
            code: typeof code === 'string' ? code : 'IMAGE_UNREADABLE',
          });
        },
      );
    },
  );
}
