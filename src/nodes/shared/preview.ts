// Thumbnails shown under a node in the editor, on this package's own comms topic
// (`nextleg-preview/<nodeId>`), retained so an editor opened later still sees the last one. A
// preview is a courtesy: whatever goes wrong making it is logged at debug level and never reaches
// the flow. The picture is decoded and shrunk in a picture worker, so a huge or hostile result
// costs that worker, never the event loop or the job's result.
import type { Node, NodeAPI } from 'node-red';
import type { JobApi } from '../../core/api/job-model';
import {
  makeThumbnail,
  makeThumbnailOfUrl,
  thumbnailDataUrl,
  type Thumbnail,
  type ThumbnailFormat,
} from '../../core/image/thumbnail';
import { isPictureError } from '../../core/picture/picture-error';
import { PICTURE_LIMITS } from '../../core/picture/limits';
import { lookupAccount } from './account-lookup';
import type { DeliveredResult, WaitingNodeDef } from './job-node';

const PREVIEW_TOPIC = 'nextleg-preview';

export interface PreviewSource {
  /** The picture itself (Buffer, base64 or data URL), when the msg already carries it. */
  image?: unknown;
  /** Otherwise it is downloaded from here with `client`. */
  imageUrl?: string;
  client?: Pick<JobApi, 'getImage'>;
  format?: ThumbnailFormat;
}

export interface NodePreview {
  /** Makes and publishes a thumbnail; resolves once published or given up (never rejects). */
  show(source: PreviewSource): Promise<void>;
  /** Aborts a preview in the making; a removed node's retained preview is withdrawn too. */
  close(removed: boolean): void;
}

function previewTopic(nodeId: string): string {
  return `${PREVIEW_TOPIC}/${nodeId}`;
}

/** `enabled` is the node's `preview` property; off, nothing is fetched and nothing published. */
export function createNodePreview(RED: NodeAPI, node: Node, enabled: boolean): NodePreview {
  const topic = previewTopic(node.id);
  let controller = new AbortController();
  // At most one thumbnail in the making per node, plus the newest one waiting: under load (a
  // hundred results a minute) only the last picture matters, and each skipped one saves a
  // download and a decode.
  let busy = false;
  let waiting: { source: PreviewSource; settle: () => void } | undefined;
  const withdraw = (): void => {
    // Not retained: this drops the retained preview and tells open editors to remove theirs.
    RED.comms.publish(topic, null, false);
  };
  // Turned off and redeployed: the picture of an earlier run must not linger.
  if (!enabled) withdraw();

  async function make(source: PreviewSource, signal: AbortSignal): Promise<void> {
    try {
      const format = source.format ?? 'jpeg';
      let thumbnail: Thumbnail | undefined;
      let image = source.image;
      if ((image === undefined || image === null) && source.imageUrl) {
        // The worker downloads the picture itself: its bytes never pass through the flows' event
        // loop, and the download stops at the picture cap.
        try {
          thumbnail = await makeThumbnailOfUrl(source.imageUrl, { format, signal });
        } catch (err) {
          // A CDN that refuses servers: the account fetches it (TheNextLeg's /getImage).
          if (!isPictureError(err) || err.problem !== 'unavailable' || !source.client) throw err;
          image = await source.client.getImage(source.imageUrl, {
            signal,
            maxBytes: PICTURE_LIMITS.maxInputBytes,
          });
          // Downloaded for the preview alone: its bytes can move to the worker without a copy.
          thumbnail = await makeThumbnail(image, { format, signal, owned: true });
        }
      }
      if (!thumbnail) {
        if (image === undefined || image === null) return;
        thumbnail = await makeThumbnail(image, { format, signal });
      }
      // A newer picture is waiting: publishing this one would only flicker.
      if (signal.aborted || waiting) return;
      RED.comms.publish(topic, { image: thumbnailDataUrl(thumbnail) }, true);
    } catch (err) {
      if (signal.aborted) return;
      const code = (err as { code?: unknown }).code;
      node.debug(
        `preview not shown: ${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}`,
      );
    }
  }

  async function drain(source: PreviewSource): Promise<void> {
    busy = true;
    let next: PreviewSource | undefined = source;
    while (next) {
      await make(next, controller.signal);
      const queued = waiting;
      waiting = undefined;
      queued?.settle();
      next = queued?.source;
    }
    busy = false;
  }

  return {
    show(source) {
      if (!enabled) return Promise.resolve();
      if (!busy) return drain(source);
      // Replaces (and settles) an older waiting picture.
      waiting?.settle();
      return new Promise<void>((settle) => {
        waiting = { source, settle };
      });
    },
    close(removed) {
      controller.abort();
      controller = new AbortController();
      waiting?.settle();
      waiting = undefined;
      // A redeployed node keeps showing its last result until it has a new one.
      if (removed) withdraw();
    },
  };
}

/**
 * The `onDelivered` hook of a waiting node: previews the result's picture, taken from `msg.image`
 * when this node downloaded it (a msg.image left by an earlier node would be the wrong picture),
 * else fetched with the account's client. Registers the node's close handler for the preview.
 */
export function resultPreview(
  RED: NodeAPI,
  node: Node,
  def: WaitingNodeDef & { preview?: boolean },
): (delivered: DeliveredResult) => void {
  const preview = createNodePreview(RED, node, def.preview !== false);
  node.on('close', (removed: boolean, done: () => void) => {
    preview.close(removed);
    done();
  });
  const downloaded = def.wait !== false && def.downloadImage === true;
  return ({ msg, result }) => {
    if (def.preview === false || !result.imageUrl) return;
    let client: PreviewSource['client'];
    try {
      client = lookupAccount(RED, def.account).api;
    } catch {
      // Only a downloaded picture can be shown without an account.
    }
    void preview.show({
      image: downloaded && Buffer.isBuffer(msg.image) ? msg.image : undefined,
      imageUrl: result.imageUrl,
      client,
    });
  };
}
