/** CIELAB and ΔE for colour checks (D65 sRGB → XYZ → Lab), plus reference RGB-space conversions. */
export type Rgb = [number, number, number];
type Matrix = [[number, number, number], [number, number, number], [number, number, number]];

const srgbDecode = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const srgbEncode = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

function apply(m: Matrix, v: Rgb): Rgb {
  return [0, 1, 2].map((i) => m[i]![0] * v[0] + m[i]![1] * v[1] + m[i]![2] * v[2]) as Rgb;
}

const SRGB_TO_XYZ: Matrix = [
  [0.4124564, 0.3575761, 0.1804375],
  [0.2126729, 0.7151522, 0.072175],
  [0.0193339, 0.119192, 0.9503041],
];
const XYZ_TO_SRGB: Matrix = [
  [3.2404542, -1.5371385, -0.4985314],
  [-0.969266, 1.8760108, 0.041556],
  [0.0556434, -0.2040259, 1.0572252],
];
/** Adobe RGB (1998) and Display P3 primaries, D65 (published matrices). */
const ADOBE_TO_XYZ: Matrix = [
  [0.5767309, 0.185554, 0.1881852],
  [0.2973769, 0.6273491, 0.0752741],
  [0.0270343, 0.0706872, 0.9911085],
];
const P3_TO_XYZ: Matrix = [
  [0.4865709, 0.2656677, 0.1982173],
  [0.2289746, 0.6917385, 0.0792869],
  [0, 0.0451134, 1.0439444],
];

/** ProPhoto (ROMM) RGB primaries, D50, and the Bradford D50 → D65 adaptation (Lindbloom's published matrices). */
const PROPHOTO_TO_XYZ_D50: Matrix = [
  [0.7976749, 0.1351917, 0.0313534],
  [0.2880402, 0.7118741, 0.0000857],
  [0, 0, 0.82521],
];
const BRADFORD_D50_TO_D65: Matrix = [
  [0.9555766, -0.0230393, 0.0631636],
  [-0.0282895, 1.0099416, 0.0210077],
  [0.0122982, -0.020483, 1.3299098],
];

function toSrgb(xyz: Rgb): Rgb {
  return apply(XYZ_TO_SRGB, xyz).map((v) => Math.round(255 * srgbEncode(Math.min(1, Math.max(0, v))))) as Rgb;
}

/** An Adobe RGB (1998) colour (gamma 563/256) as sRGB. A test reference, independent of lcms. */
export function adobeRgbToSrgb(rgb: Rgb): Rgb {
  return toSrgb(apply(ADOBE_TO_XYZ, rgb.map((v) => (v / 255) ** (563 / 256)) as Rgb));
}

/** A Display P3 colour (sRGB transfer curve) as sRGB. */
export function displayP3ToSrgb(rgb: Rgb): Rgb {
  return toSrgb(apply(P3_TO_XYZ, rgb.map((v) => srgbDecode(v / 255)) as Rgb));
}

/** A ProPhoto RGB colour (pure gamma 1.8, as colord's ProPhotoRGB.icc) as sRGB. */
export function proPhotoToSrgb(rgb: Rgb): Rgb {
  return toSrgb(apply(BRADFORD_D50_TO_D65, apply(PROPHOTO_TO_XYZ_D50, rgb.map((v) => (v / 255) ** 1.8) as Rgb)));
}

export function srgbToLab(rgb: Rgb): Rgb {
  const [x, y, z] = apply(SRGB_TO_XYZ, rgb.map((v) => srgbDecode(v / 255)) as Rgb);
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (t * 24389) / 27 / 116 + 16 / 116);
  const [fx, fy, fz] = [f(x / 0.95047), f(y), f(z / 1.08883)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE76 ΔE between two sRGB colours (stricter than ΔE2000 for these checks). */
export function deltaE(a: Rgb, b: Rgb): number {
  const [l1, a1, b1] = srgbToLab(a);
  const [l2, a2, b2] = srgbToLab(b);
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}
