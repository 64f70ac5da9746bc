// Jimp as this package uses it: PNG and JPEG codecs and resizing, from Jimp's modular packages
// rather than the whole bundle. Only picture workers (and the sandbox) load this module.

import { createJimp } from '@jimp/core';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import { methods as resize } from '@jimp/plugin-resize';

export { ResizeStrategy } from '@jimp/plugin-resize';

export const PictureJimp = createJimp({ formats: [png, jpeg], plugins: [resize] });

export type PictureJimpImage = InstanceType<typeof PictureJimp>;
