// Prints text onto an RGBA bitmap with a bitmap font, exactly as Jimp's print plugin does (same
// line breaking, kerning, glyph placement and blending), so the sandbox's pictures stay the same
// without the plugin and its font collection in every install.

import png from '@jimp/js-png';
import type { BitmapFontData } from './font-data';

export interface RgbaImage {
  data: Buffer;
  width: number;
  height: number;
}

interface Glyph {
  x: number;
  y: number;
  width: number;
  height: number;
  xoffset: number;
  yoffset: number;
  xadvance: number;
}

export interface BitmapFont {
  lineHeight: number;
  defaultCharWidth: number;
  chars: Record<string, Glyph>;
  kernings: Record<string, Record<string, number>>;
  page: RgbaImage;
}

export function loadBitmapFont(data: BitmapFontData): BitmapFont {
  const chars: Record<string, Glyph> = {};
  for (const [char, box] of Object.entries(data.chars)) {
    const [x, y, width, height, xoffset, yoffset, xadvance] = box as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    chars[char] = { x, y, width, height, xoffset, yoffset, xadvance };
  }
  const page = png().decode(Buffer.from(data.page, 'base64'));
  return {
    lineHeight: data.lineHeight,
    defaultCharWidth: data.defaultCharWidth,
    chars,
    kernings: data.kernings,
    page,
  };
}

function measureText(font: BitmapFont, text: string): number {
  let x = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    const glyph = font.chars[char];
    if (glyph) {
      const next = text[i + 1];
      x += glyph.xadvance + (next ? (font.kernings[char]?.[next] ?? 0) : 0);
    }
  }
  return x;
}

/** Words onto lines no wider than maxWidth; a word wider than a line is broken between characters. */
function splitLines(font: BitmapFont, text: string, maxWidth: number): string[][] {
  const words = text.replace(/[\r\n]+/g, ' \n').split(' ');
  const lines: string[][] = [];
  let currentLine: string[] = [];
  for (const word of words) {
    const wordWidth = measureText(font, word + (words.length > 1 ? ' ' : ''));
    if (wordWidth > maxWidth) {
      let current = '';
      for (const char of word) {
        const length = measureText(font, [...currentLine, current + char].join(' '));
        if (length < maxWidth) {
          current += char;
        } else if (length > maxWidth) {
          lines.push([...currentLine, current]);
          currentLine = [];
          current = char;
        } else {
          lines.push([...currentLine, current + char]);
          currentLine = [];
          current = '';
        }
      }
      continue;
    }
    const length = measureText(font, [...currentLine, word].join(' '));
    if (length <= maxWidth && !word.includes('\n')) {
      currentLine.push(word);
    } else {
      lines.push(currentLine);
      currentLine = [word.replace('\n', '')];
    }
  }
  lines.push(currentLine);
  return lines;
}

/** Jimp's blit: the glyph's pixels laid over the image by their alpha. */
function blit(image: RgbaImage, page: RgbaImage, glyph: Glyph, x: number, y: number): void {
  const { data } = image;
  const src = page.data;
  for (let sy = glyph.y; sy < glyph.y + glyph.height; sy++) {
    for (let sx = glyph.x; sx < glyph.x + glyph.width; sx++) {
      const dx = x + sx - glyph.x;
      const dy = y + sy - glyph.y;
      if (dx < 0 || dy < 0 || dx >= image.width || dy >= image.height) continue;
      const s = (page.width * sy + sx) << 2;
      const d = (image.width * dy + dx) << 2;
      const a = src[s + 3] ?? 0;
      for (let c = 0; c < 3; c++) {
        const dst = data[d + c] ?? 0;
        data[d + c] = ((a * ((src[s + c] ?? 0) - dst) - dst + 255) >> 8) + dst;
      }
      data[d + 3] = Math.min(255, Math.max(0, (data[d + 3] ?? 0) + a));
    }
  }
}

function printLine(image: RgbaImage, font: BitmapFont, x: number, y: number, text: string): void {
  for (let i = 0; i < text.length; i++) {
    const raw = text[i] as string;
    const char = font.chars[raw] ? raw : /\s/.test(raw) ? '' : '?';
    const glyph = font.chars[char];
    if (glyph && glyph.width > 0 && glyph.height > 0) {
      blit(image, font.page, glyph, Math.round(x + glyph.xoffset), Math.round(y + glyph.yoffset));
    }
    const next = text[i + 1];
    const kerning = next ? (font.kernings[char]?.[next] ?? 0) : 0;
    x += kerning + (glyph?.xadvance || font.defaultCharWidth);
  }
}

/** Left-aligned text from (x, y), broken into lines of at most maxWidth pixels. */
export function printText(
  image: RgbaImage,
  font: BitmapFont,
  options: { x: number; y: number; text: string; maxWidth?: number },
): void {
  let { y } = options;
  for (const line of splitLines(font, options.text, options.maxWidth ?? Infinity)) {
    printLine(image, font, options.x, y, line.join(' '));
    y += font.lineHeight;
  }
}
