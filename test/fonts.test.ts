/**
 * Font files and the fallback chain: the character maps read from the bundled WOFF2 files, a
 * WOFF and a plain sfnt; damaged files refused with FontFormatError (they come from manifests);
 * which face draws which character, and what a caption loses when none does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FontSet, FontFormatError, scriptsCovered } from '../src/render/fonts/index.js';
import { readFontInfo } from '../src/render/fonts/face.js';
import { ROOT } from './support/cli.js';

const require = createRequire(import.meta.url);
const CJK_SUBSET = path.join(ROOT, 'test', 'fixtures', 'NotoSansSC-subset.otf');
const cp = (char: string) => char.codePointAt(0)!;

describe('font files', () => {
  it('reads family and characters from WOFF2, WOFF and TrueType files', () => {
    const woff2 = readFontInfo(readFileSync(require.resolve('@fontsource/inter/files/inter-latin-400-normal.woff2')));
    const woff = readFontInfo(readFileSync(require.resolve('@fontsource/inter/files/inter-latin-400-normal.woff')));
    expect(woff2.family).toBe('Inter');
    expect(woff2.coverage.size).toBe(woff.coverage.size);
    for (const char of 'Aa0…€') expect(woff2.coverage.has(cp(char)), char).toBe(true);
    for (const char of 'ЖΩ中😀') expect(woff2.coverage.has(cp(char)), char).toBe(false);

    const subset = readFontInfo(readFileSync(CJK_SUBSET));
    expect(subset.family).toBe('Noto Sans SC Subset');
    expect([...'你好北京'].every((c) => subset.coverage.has(cp(c)))).toBe(true);
    expect(subset.coverage.has(cp('東'))).toBe(false);
  });

  it('refuses damaged and foreign files with a FontFormatError, whatever the damage', () => {
    const good = readFileSync(CJK_SUBSET);
    const woff2 = readFileSync(require.resolve('@fontsource/noto-sans-hebrew/files/noto-sans-hebrew-hebrew-400-normal.woff2'));
    expect(() => readFontInfo(Buffer.from('GIF89a not a font'))).toThrow(FontFormatError);
    for (const bytes of [good, woff2]) {
      // Cut anywhere: read (when the tables it needs are whole) or refused, never another error.
      let refused = 0;
      for (let length = 0; length < bytes.length; length += Math.ceil(bytes.length / 97)) {
        try {
          readFontInfo(bytes.subarray(0, length));
        } catch (error) {
          expect(error, `first ${length} bytes`).toBeInstanceOf(FontFormatError);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(10);
    }
    // A table directory pointing far outside the file.
    const lying = Buffer.from(good);
    for (let i = 0; i < lying.readUInt16BE(4); i++) lying.writeUInt32BE(0x7fffffff, 12 + 16 * i + 8);
    expect(() => readFontInfo(lying)).toThrow(FontFormatError);
  });
});

describe('fallback chain', () => {
  it('gives each script to its font, in chain order', () => {
    const chain = FontSet.bundled().chain()!;
    const family = (char: string) => chain.faceFor(cp(char))?.family;
    expect(family('A')).toBe('Inter');
    expect(family('ệ')).toBe('Inter');
    expect(family('Ж')).toBe('Inter');
    expect(family('Ω')).toBe('Inter');
    expect(family('ش')).toBe('Noto Sans Arabic');
    expect(family('ש')).toBe('Noto Sans Hebrew');
    expect(family('न')).toBe('Noto Sans Devanagari');
    expect(family('ก')).toBe('Noto Sans Thai');
    expect(family('😀')).toBe('Noto Color Emoji');
    expect(family('🇬')).toBe('Noto Color Emoji');
    expect(family('中')).toBeUndefined();
  });

  it('lists only the families a text needs, in chain order', () => {
    const chain = FontSet.bundled().chain()!;
    expect(chain.families('Day 3')).toBe('"Inter #1"');
    expect(chain.families('Día 3 — Αθήνα 🇬🇷 שלום')).toMatch(/^"Inter #1", ("Inter #\d", )*"Noto Sans Hebrew #1", "Noto Color Emoji #\d+"$/);
    expect(FontSet.bundled().chain('Noto Sans Hebrew')!.families('a')).toBe('"Noto Sans Hebrew #1", "Inter #1"');
  });

  it('leaves out what no font draws, with the marks on it; keeps joiners and selectors', () => {
    const chain = FontSet.bundled().chain()!;
    expect(chain.clean('你好 Beijing')).toEqual({ text: ' Beijing', missing: [0x4f60, 0x597d] });
    expect(chain.clean('a中\u0301b')).toEqual({ text: 'ab', missing: [0x4e2d] });
    const family = '👨‍👩‍👧 ❤️';
    expect(chain.clean(family)).toEqual({ text: family, missing: [] });
    expect(chain.clean('a\u202fb').missing).toEqual([]);
  });

  it("a job's font file joins the chain after the bundled fonts, and its family can lead", () => {
    const fonts = FontSet.withFiles([{ src: 'subset', bytes: readFileSync(CJK_SUBSET) }]);
    try {
      expect(fonts.chain()!.faceFor(cp('中'))?.family).toBe('Noto Sans SC Subset');
      expect(fonts.chain()!.clean('你好 Beijing').missing).toEqual([]);
      const led = fonts.chain('noto sans sc subset')!;
      expect(led.faces[0]!.family).toBe('Noto Sans SC Subset');
      expect(led.faceFor(cp('a'))?.family).toBe('Inter');
    } finally {
      fonts.release();
    }
    expect(FontSet.bundled().chain('Noto Sans SC Subset')).toBeNull();
    expect(() => FontSet.withFiles([{ src: 'fonts[0] (x.ttf)', bytes: Buffer.from('wOF2 but no font') }])).toThrow(/^font fonts\[0\] \(x\.ttf\): /);
  });

  it('says which scripts each bundled family covers', () => {
    const faces = FontSet.bundled().faces();
    const scripts = (family: string) =>
      scriptsCovered(faces.filter((f) => f.family === family))
        .filter((s) => s.complete)
        .map((s) => s.name);
    expect(scripts('Inter')).toEqual(['Latin', 'Latin Extended', 'Vietnamese', 'Greek', 'Cyrillic']);
    expect(scripts('Noto Sans Arabic')).toEqual(['Arabic']);
    expect(scripts('Noto Sans Hebrew')).toEqual(['Hebrew']);
    expect(scripts('Noto Sans Devanagari')).toEqual(['Devanagari']);
    expect(scripts('Noto Sans Thai')).toEqual(['Thai']);
    expect(scripts('Noto Color Emoji')).toEqual(['Emoji']);
  });
});
