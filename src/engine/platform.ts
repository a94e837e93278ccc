/** The platform an image is for, as `os/arch[/variant]`: what its source said, else what its config says. */
import type { ImageMeta } from './types.js';

export function imagePlatform(meta: ImageMeta): string | null {
  const p =
    meta.platform ??
    (meta.config.os && meta.config.architecture
      ? { os: meta.config.os, architecture: meta.config.architecture, variant: meta.config.variant }
      : undefined);
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : null;
}
