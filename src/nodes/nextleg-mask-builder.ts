// Builds the Vary (Region) mask (black background, white = repaint) from rectangles, annotations or
// a drawn picture, and passes every other msg property on, so the upscale's buttonMessageId reaches
// nextleg-vary-region untouched. The mask takes the picture's size when the msg says what it is
// (msg.image, msg.maskSize, msg.imageSize, in that order), else the node's.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { buildMask, MASK_LIMITS, type MaskRegion } from '../core/mask';
import { exportedSettings } from './shared/editor-settings';
import { LastImageStore, registerLastImageEndpoint } from './shared/last-image';
import { toNodeError } from './shared/node-error';
import { nonNegativeNumber, positiveNumber } from './shared/numbers';
import { createNodePreview } from './shared/preview';

interface MaskBuilderNodeDef extends NodeDef {
  width?: number | string;
  height?: number | string;
  format?: 'png' | 'webp';
  invert?: boolean;
  threshold?: number | string;
  regions?: MaskRegion[];
  preview?: boolean;
}

export = (RED: NodeAPI): void => {
  const lastImages = new LastImageStore();
  registerLastImageEndpoint(RED, lastImages);

  function NextlegMaskBuilderNode(this: Node, def: MaskBuilderNodeDef): void {
    RED.nodes.createNode(this, def);
    const width = positiveNumber(def.width, 1024);
    const height = positiveNumber(def.height, 1024);
    const format = def.format === 'webp' ? 'webp' : 'png';
    const threshold = nonNegativeNumber(def.threshold, 128);
    const inFlight = new Set<AbortController>();
    const preview = createNodePreview(RED, this, def.preview !== false);

    this.on('input', (msg, send, done) => {
      const m = msg as typeof msg & Record<string, unknown>;
      const controller = new AbortController();
      inFlight.add(controller);
      lastImages.remember(this.id, m);
      this.status({ fill: 'blue', shape: 'ring', text: 'nextleg.status.building' });
      buildMask(
        {
          width,
          height,
          size: m.maskSize as { width: number; height: number } | undefined,
          imageSize: m.imageSize as { width: number; height: number } | undefined,
          sourceImage: Buffer.isBuffer(m.image) ? m.image : undefined,
          regions:
            m.regions ?? (m.annotations === undefined && m.maskImage === undefined ? def.regions : undefined),
          annotations: m.annotations,
          maskImage: m.maskImage,
          format,
          invert: def.invert === true,
          threshold,
        },
        { signal: controller.signal },
      )
        .then(({ mask, info }) => {
          m.mask = mask;
          m.maskInfo = info;
          this.status({
            fill: 'green',
            shape: 'dot',
            text: `${info.width}x${info.height} ${(info.coverage * 100).toFixed(1)}%`,
          });
          send(m);
          done();
          void preview.show({ image: mask, format: 'png' });
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return done();
          const error = toNodeError(err);
          this.status({ fill: 'red', shape: 'ring', text: error.code });
          done(error);
        })
        .finally(() => inFlight.delete(controller));
    });

    this.on('close', (removed: boolean, done: () => void) => {
      for (const controller of inFlight) controller.abort();
      preview.close(removed);
      if (removed) lastImages.forget(this.id);
      this.status({});
      done();
    });
  }
  // The dialog checks the mask size against the same cap as the builder.
  RED.nodes.registerType('nextleg-mask-builder', NextlegMaskBuilderNode, {
    settings: exportedSettings('nextleg-mask-builder', { MaxSide: MASK_LIMITS.maxSide }),
  });
};
