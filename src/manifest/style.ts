/**
 * Looks: border, rounded corners, circle shape, drop shadow and captions, set for the whole
 * manifest (`style`) and overridden per image (`images[].style`, `images[].caption`).
 * The valibot pieces live here (schema.ts puts them in the manifest) with their resolution
 * to device pixels, so a look reaches the renderer as plain numbers and colours.
 */
import * as v from 'valibot';
import { Length, SignedLength } from './lengths.js';
import { MAX_CAPTION_LINES } from './limits.js';
import { lengthToPixels, parseColor, parseLength, type Rgba } from './units.js';

const Color = v.pipe(
  v.string('Invalid colour: expected a string such as "#ffffff", "rgba(0,0,0,0.4)" or "white"'),
  v.check(
    (value) => parseColor(value) !== null,
    (issue) => `Invalid colour: ${issue.received} is not #rgb, #rrggbb, rgb() or a CSS colour name`,
  ),
  v.description('A CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb()/rgba() or a name such as "white".'),
);

export const SHAPES = ['rect', 'circle'] as const;
export const CAPTION_POSITIONS = ['bottom', 'top', 'below'] as const;
export const CAPTION_ALIGNS = ['left', 'center', 'right', 'start', 'end'] as const;
export const CAPTION_DIRECTIONS = ['auto', 'ltr', 'rtl'] as const;

export const BorderSchema = v.pipe(
  v.union(
    [v.literal(false), Length, v.strictObject({ width: Length, color: v.optional(Color) })],
    'Invalid border: expected false, a width such as "1mm", or { "width", "color" }',
  ),
  v.description('A border inside the photo\'s edge: a width (white), { "width", "color" }, or false for none.'),
);

export const ShadowSchema = v.pipe(
  v.union(
    [
      v.boolean(),
      v.strictObject({
        offset: v.optional(v.pipe(v.tuple([SignedLength, SignedLength]), v.description('[x, y] offset (default ["1mm", "1mm"]).'))),
        blur: v.optional(v.pipe(Length, v.description('Blur radius (default "1.5mm").'))),
        color: v.optional(Color),
      }),
    ],
    'Invalid shadow: expected true, false, or { "offset", "blur", "color" }',
  ),
  v.description('A drop shadow under the photo, kept within half the gap around its cell: true for the default, an object, or false.'),
);

export const CaptionStyleSchema = v.pipe(
  v.strictObject({
    font: v.optional(
      v.pipe(
        v.string(),
        v.minLength(1),
        v.check((name) => !/["\\\p{Cc}]/u.test(name), 'Invalid font: a family name has no quotes, backslashes or control characters'),
        v.description(
          'Font family the caption starts with (default "Inter", bundled): a bundled family, the family of a file in "fonts", or one installed on the machine. Characters it lacks fall back to the other fonts.',
        ),
      ),
    ),
    size: v.optional(v.pipe(Length, v.description('Font size (default "9pt").'))),
    color: v.optional(Color),
    background: v.optional(
      v.pipe(v.union([v.literal(false), Color]), v.description('Band behind the text (default rgba(0,0,0,0.45) over the photo, none below it); false for none.')),
    ),
    position: v.optional(
      v.pipe(v.picklist(CAPTION_POSITIONS), v.description('bottom or top: over the photo; below: in a strip under the photo, inside the cell (default bottom).')),
    ),
    align: v.optional(
      v.pipe(
        v.picklist(CAPTION_ALIGNS),
        v.description("left, center (default) or right; start or end: left or right by the text's direction (start is right for Arabic and Hebrew)."),
      ),
    ),
    direction: v.optional(
      v.pipe(v.picklist(CAPTION_DIRECTIONS), v.description('auto (default: right to left when the first letter is Arabic, Hebrew or another right-to-left script), ltr or rtl.')),
    ),
    maxLines: v.optional(
      v.pipe(
        v.number(),
        v.integer('maxLines must be a whole number'),
        v.minValue(1, 'maxLines must be at least 1'),
        v.maxValue(MAX_CAPTION_LINES, `maxLines must be at most ${MAX_CAPTION_LINES}`),
        v.description('Lines before the text is cut with an ellipsis (default 2).'),
      ),
    ),
    padding: v.optional(v.pipe(Length, v.description('Space around the text (default 0.4 × size).'))),
  }),
  v.description('How captions are drawn. The text comes from each image\'s "caption".'),
);

export const StyleSchema = v.pipe(
  v.strictObject({
    border: v.optional(BorderSchema),
    radius: v.optional(v.pipe(Length, v.description('Rounded-corner radius (default 0).'))),
    shape: v.optional(v.pipe(v.picklist(SHAPES), v.description('rect (default) or circle (the largest circle centred in the cell).'))),
    shadow: v.optional(ShadowSchema),
    caption: v.optional(CaptionStyleSchema),
  }),
  v.description('Looks for every photo; each image may override any key in its own "style".'),
);

export const CaptionTextSchema = v.pipe(v.string(), v.description('Caption text, drawn inside the cell with the caption style (bundled font Inter by default).'));

export type StyleInput = v.InferInput<typeof StyleSchema>;

export const STYLE_KEYS = {
  style: Object.keys(StyleSchema.entries),
  border: ['width', 'color'],
  shadow: ['offset', 'blur', 'color'],
  caption: Object.keys(CaptionStyleSchema.entries),
} as const;

/** A look in device pixels, as the renderer takes it. */
export interface Look {
  shape: 'rect' | 'circle';
  /** Corner radius, px (rect only). */
  radius: number;
  border?: { width: number; color: Rgba };
  shadow?: { dx: number; dy: number; blur: number; color: Rgba };
  caption?: CaptionLook;
}

export interface CaptionLook {
  text: string;
  font: string;
  /** px */
  size: number;
  color: Rgba;
  background?: Rgba;
  position: (typeof CAPTION_POSITIONS)[number];
  align: (typeof CAPTION_ALIGNS)[number];
  /** Base direction of the text; `auto` is resolved from its first letter. */
  direction: (typeof CAPTION_DIRECTIONS)[number];
  maxLines: number;
  /** px */
  padding: number;
  /** The CSS font-family list the text is drawn with (its fallback chain), once the job's fonts are known. */
  families?: string;
}

export const DEFAULT_FONT = 'Inter';

/**
 * The image's look: its own `style` over the manifest's, `caption` text from the image.
 * Undefined when nothing would change the plain cell, so plain cells keep the fast path.
 */
export function resolveLook(base: StyleInput | undefined, own: StyleInput | undefined, text: string | undefined, dpi: number, pixelScale = 1): Look | undefined {
  const px = (value: number | string) => {
    const length = parseLength(value)!;
    return length.unit === 'px' ? length.value * pixelScale : lengthToPixels(length, dpi);
  };
  const signedPx = (value: number | string) => {
    if (typeof value === 'number') return value;
    const negative = value.trim().startsWith('-');
    const size = px(value.trim().replace(/^-/, ''));
    return negative ? -size : size;
  };
  const pick = <K extends keyof StyleInput>(key: K): StyleInput[K] => (own && own[key] !== undefined ? own[key] : base?.[key]);

  const shape = pick('shape') ?? 'rect';
  const radius = shape === 'rect' ? px(pick('radius') ?? 0) : 0;
  const look: Look = { shape, radius };

  const border = pick('border');
  if (border !== undefined && border !== false) {
    const width = px(typeof border === 'object' ? border.width : border);
    const color = parseColor(typeof border === 'object' ? (border.color ?? '#ffffff') : '#ffffff')!;
    if (width > 0) look.border = { width, color };
  }

  const shadow = pick('shadow');
  if (shadow !== undefined && shadow !== false) {
    const s = shadow === true ? {} : shadow;
    const [dx, dy] = s.offset ?? ['1mm', '1mm'];
    look.shadow = { dx: signedPx(dx), dy: signedPx(dy), blur: px(s.blur ?? '1.5mm'), color: parseColor(s.color ?? 'rgba(0, 0, 0, 0.4)')! };
  }

  if (text !== undefined && text.trim() !== '') {
    const c = { ...base?.caption, ...own?.caption };
    const position = c.position ?? 'bottom';
    const size = px(c.size ?? '9pt');
    const over = position !== 'below';
    const background = c.background === false ? undefined : parseColor(c.background ?? (over ? 'rgba(0, 0, 0, 0.45)' : 'transparent'))!;
    look.caption = {
      text: text.trim(),
      font: c.font ?? DEFAULT_FONT,
      size,
      color: parseColor(c.color ?? (over ? '#ffffff' : '#333333'))!,
      ...(background && background.a > 0 && { background }),
      position,
      align: c.align ?? 'center',
      direction: c.direction ?? 'auto',
      maxLines: c.maxLines ?? 2,
      padding: c.padding === undefined ? 0.4 * size : px(c.padding),
    };
  }

  const plain = look.shape === 'rect' && look.radius < 0.5 && !look.border && !look.shadow && !look.caption;
  return plain ? undefined : look;
}

/** Font families the captions of `style` and `images[].style` name, with their paths. */
export function captionFonts(style: StyleInput | undefined, images: readonly unknown[]): { path: string; font: string }[] {
  const found: { path: string; font: string }[] = [];
  if (style?.caption?.font) found.push({ path: 'style.caption.font', font: style.caption.font });
  images.forEach((entry, i) => {
    const font = typeof entry === 'object' && entry !== null ? (entry as { style?: StyleInput }).style?.caption?.font : undefined;
    if (font) found.push({ path: `images[${i}].style.caption.font`, font });
  });
  return found;
}
