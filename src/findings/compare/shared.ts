/**
 * How much several images share: per image, its layers and bytes that another of the images holds
 * too; in total, the bytes as listed (each image stored alone) against the bytes stored once.
 * What a team with ten services on one base wants to know.
 *
 * "Stored once" is counted two ways, because the two places that store images deduplicate
 * differently: by diffID (the same content anywhere: a registry keeps one blob per digest, and
 * one diffID is one blob when the images were pushed the same way), and by chain (a node's layer
 * store keeps a layer once per stack of parents: a layer is shared on a node only when everything
 * below it is shared too).
 */

export interface SharedImageInput {
  reference: string;
  layers: Array<{ diffId: string | null; size: number | null; createdBy: string | null }>;
}

export interface SharedImage {
  reference: string;
  layers: number;
  bytes: number;
  /** Layers (and their bytes) that at least one other of the images holds. */
  sharedLayers: number;
  sharedBytes: number;
  /** Leading layers shared with another image as a whole stack (what a node shares). */
  sharedPrefix: number;
}

export interface SharedLayer {
  diffId: string;
  size: number | null;
  createdBy: string | null;
  /** Indices (into `images`) of the images that hold it. */
  images: number[];
}

export interface SharedReport {
  images: SharedImage[];
  /** Layers two or more of the images hold, largest first. */
  layers: SharedLayer[];
  total: {
    images: number;
    /** Layers and bytes as listed: every image stored on its own. */
    layers: number;
    bytes: number;
    /** Distinct layers and bytes by diffID: each content stored once. */
    distinctLayers: number;
    distinctBytes: number;
    /** Distinct by chain of parents: what a node's layer store keeps. */
    chainLayers: number;
    chainBytes: number;
  };
}

export function sharedLayers(inputs: SharedImageInput[]): SharedReport {
  // A layer without a diffID (a source that did not say) is its own: never counted as shared.
  const idOf = (img: number, i: number) => inputs[img].layers[i].diffId ?? `\u0000${img}:${i}`;
  const holders = new Map<string, Set<number>>();
  const chains = new Map<string, number>();
  const distinct = new Map<string, number>();
  inputs.forEach((img, k) => {
    let chain = '';
    img.layers.forEach((l, i) => {
      const id = idOf(k, i);
      let h = holders.get(id);
      if (!h) holders.set(id, (h = new Set()));
      h.add(k);
      distinct.set(id, l.size ?? 0);
      chain += id + ' ';
      chains.set(chain, l.size ?? 0);
    });
  });
  const chainHolders = new Map<string, number>();
  inputs.forEach((img, k) => {
    let chain = '';
    img.layers.forEach((_, i) => {
      chain += idOf(k, i) + ' ';
      chainHolders.set(chain, (chainHolders.get(chain) ?? 0) + 1);
    });
  });

  const images: SharedImage[] = inputs.map((img, k) => {
    const s: SharedImage = {
      reference: img.reference,
      layers: img.layers.length,
      bytes: 0,
      sharedLayers: 0,
      sharedBytes: 0,
      sharedPrefix: 0,
    };
    let chain = '';
    let prefix = true;
    img.layers.forEach((l, i) => {
      const id = idOf(k, i);
      s.bytes += l.size ?? 0;
      if ((holders.get(id)?.size ?? 0) > 1) {
        s.sharedLayers++;
        s.sharedBytes += l.size ?? 0;
      }
      chain += id + ' ';
      if (prefix && (chainHolders.get(chain) ?? 0) > 1) s.sharedPrefix++;
      else prefix = false;
    });
    return s;
  });

  const layers: SharedLayer[] = [];
  const seen = new Set<string>();
  inputs.forEach((img, k) =>
    img.layers.forEach((l, i) => {
      const id = idOf(k, i);
      const h = holders.get(id)!;
      if (h.size < 2 || seen.has(id) || l.diffId === null) return;
      seen.add(id);
      layers.push({ diffId: l.diffId, size: l.size, createdBy: l.createdBy, images: [...h].sort((x, y) => x - y) });
    }),
  );
  layers.sort((x, y) => (y.size ?? 0) - (x.size ?? 0) || (x.diffId < y.diffId ? -1 : 1));

  const sum = (m: Map<string, number>) => [...m.values()].reduce((n, v) => n + v, 0);
  return {
    images,
    layers,
    total: {
      images: inputs.length,
      layers: images.reduce((n, s) => n + s.layers, 0),
      bytes: images.reduce((n, s) => n + s.bytes, 0),
      distinctLayers: distinct.size,
      distinctBytes: sum(distinct),
      chainLayers: chains.size,
      chainBytes: sum(chains),
    },
  };
}
