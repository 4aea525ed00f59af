/**
 * Caption wrapping and ellipsis as pure functions of a measure: what lines come out, and how much
 * text is measured to find them. Measuring costs per character (a 100,000-character string
 * takes the canvas ~0.3 s), so the amount measured must depend on what fits, not on how long the
 * caption is: a one-word caption of 1,000,000 characters used to be cut one character at a time,
 * re-measuring the whole word each time.
 */
import { describe, expect, it } from 'vitest';
import { boundaryAtOrBefore, longestFit, wrapText } from '../src/render/caption.js';

/** One unit per code point (a wide character two), counting calls and characters measured; throws past `budget` characters. */
function countingMeasure(budget = 200_000) {
  const stats = { calls: 0, characters: 0 };
  const measure = (text: string) => {
    stats.calls++;
    stats.characters += text.length;
    if (stats.characters > budget) throw new Error(`measured ${stats.characters} characters: more than the caption can show`);
    let width = 0;
    for (const char of text) width += /\p{Script=Han}/u.test(char) ? 2 : 1;
    return width;
  };
  return { measure, stats };
}

describe('wrapText', () => {
  it('wraps words, keeps maxLines, and ends cut text in an ellipsis', () => {
    const { measure } = countingMeasure();
    expect(wrapText(measure, 'one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
    expect(wrapText(measure, 'one two three four five six', 9, 2)).toEqual(['one two', 'three…']);
    expect(wrapText(measure, 'Supercalifragilistic', 8, 2)).toEqual(['Superca…']);
    expect(wrapText(measure, 'Supercalifragilistic is long', 8, 2)).toEqual(['Superca…', 'is long']);
  });

  it('a 1,000,000-character word: measures what fits a line, not the word', () => {
    const { measure, stats } = countingMeasure();
    const lines = wrapText(measure, 'x'.repeat(1_000_000), 40, 2);
    expect(lines).toEqual([`${'x'.repeat(39)}…`]);
    // Doubling then halving: O(log n) measurements, each about a line long.
    expect(stats.calls).toBeLessThan(40);
    expect(stats.characters).toBeLessThan(5_000);
  });

  it('1,000,000 characters of short words: stops after the last line', () => {
    const { measure, stats } = countingMeasure();
    const lines = wrapText(measure, 'ab '.repeat(333_333), 10, 3);
    expect(lines).toEqual(['ab ab ab', 'ab ab ab', 'ab ab ab…']);
    expect(stats.characters).toBeLessThan(5_000);
  });

  it('scripts without spaces wrap between words; 1,000,000 of them cost what two lines cost', () => {
    const { measure, stats } = countingMeasure();
    expect(wrapText(measure, '北京上海东京中国日本', 8, 3)).toEqual(['北京上海', '东京中国', '日本']);
    const lines = wrapText(measure, '中'.repeat(1_000_000), 20, 2);
    expect(lines).toEqual(['中'.repeat(10), `${'中'.repeat(9)}…`]);
    expect(stats.characters).toBeLessThan(5_000);
  });

  it('Thai breaks at word boundaries, not inside a word', () => {
    const { measure } = countingMeasure();
    // สวัสดี | ครับ | ภาษา | ไทย
    const lines = wrapText(measure, 'สวัสดีครับภาษาไทย', 11, 3);
    expect(lines.join('')).toBe('สวัสดีครับภาษาไทย');
    expect(lines.length).toBeGreaterThan(1);
    const segmenter = new Intl.Segmenter('th', { granularity: 'word' });
    const boundaries = new Set([...segmenter.segment('สวัสดีครับภาษาไทย')].map((s) => s.index));
    let at = 0;
    for (const line of lines.slice(0, -1)) {
      at += line.length;
      expect(boundaries.has(at), `break after "${line}"`).toBe(true);
    }
  });

  it('never cuts inside a grapheme cluster (emoji sequences, vowel signs)', () => {
    const { measure } = countingMeasure();
    const family = '👨‍👩‍👧';
    const text = family.repeat(30);
    const body = wrapText(measure, text, 12, 1)[0]!.replace('…', '');
    expect(body.length % family.length).toBe(0);
    expect(boundaryAtOrBefore('नमस्ते', 3, 'grapheme')).toBe(2); // न|म|स्ते: not between स and ्
  });

  it('closing punctuation does not start a line', () => {
    const { measure } = countingMeasure();
    const lines = wrapText(measure, '北京上海。东京', 8, 3);
    expect(lines[1]!.startsWith('。')).toBe(false);
  });

  it('longestFit finds the longest prefix that fits with O(log n) measurements', () => {
    const { measure, stats } = countingMeasure();
    expect(longestFit(measure, 'ab ', 'y'.repeat(100_000), '…', 1000, 'grapheme')).toBe(996);
    expect(stats.calls).toBeLessThan(30);
  });
});
