/** `plan()`: the layout as data (canvas size and every placement), without rendering. */
import { ManifestError } from './errors.js';
import { LayoutError, layoutPage, type Box, type PageLayout } from './layout/index.js';
import { loadManifest, type CollageSpec, type Fit, type ManifestOverrides, type ManifestSource } from './manifest/index.js';

export interface Placement {
  index: number;
  src: string;
  x: number;
  y: number;
  width: number;
  height: number;
  fit: Fit;
  focus: [number, number];
}

export interface Plan {
  output: { path: string; format: CollageSpec['format'] };
  canvas: { width: number; height: number; dpi: number; background: string };
  content: Box;
  layout: { type: CollageSpec['layout']['type']; columns: number; rows: number; margin: number; gap: number };
  placements: Placement[];
}

export type PlanOptions = ManifestOverrides;

export async function plan(manifest: ManifestSource, options: PlanOptions = {}): Promise<Plan> {
  const spec = await loadManifest(manifest, options);
  return describePlan(spec, layoutSpec(spec));
}

/** Lays out a validated spec; a layout that cannot be built is a manifest problem (exit 2). */
export function layoutSpec(spec: CollageSpec): PageLayout {
  try {
    return layoutPage(spec.layout, spec, spec.images.length);
  } catch (error) {
    if (error instanceof LayoutError) throw new ManifestError(spec.manifestFile, [{ path: error.path, message: error.message }]);
    throw error;
  }
}

export function describePlan(spec: CollageSpec, page: PageLayout): Plan {
  const { r, g, b } = spec.background;
  return {
    output: { path: spec.output, format: spec.format },
    canvas: { width: spec.width, height: spec.height, dpi: spec.dpi, background: `rgb(${r}, ${g}, ${b})` },
    content: page.content,
    layout: { type: spec.layout.type, columns: page.columns, rows: page.rows, margin: spec.margin, gap: spec.gap },
    placements: spec.images.map((image, i) => ({
      index: image.index,
      src: image.src,
      ...page.boxes[i]!,
      fit: image.fit,
      focus: image.focus,
    })),
  };
}
