/**
 * A daemon's description of an image (the inspect and history answers), checked in every field
 * metaFromInspect and historyFromApi read before they read it: a daemon, or whatever answers on
 * DOCKER_HOST, may send any JSON, and a field of another type must be one line naming it, not a
 * JavaScript error from the code that reads it ("Cannot read properties of null", "Invalid time
 * value"). What the image config holds is checked again where it enters the engine.
 */
import { Shape, checkDepth, isPlainObject } from '../../engine/config-shape.js';
import type { ApiHistoryItem } from './history.js';

/** The fields of the Engine's image inspect answer layerlens reads. */
export interface InspectInfo {
  Id: string;
  /** Uncompressed size of the image: about the size of its export. */
  Size?: number;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: string;
  Author?: string;
  Config?: Record<string, unknown> | null;
  Architecture?: string;
  Variant?: string;
  Os?: string;
  RootFS?: { Type?: string; Layers?: string[] };
}

/** The latest time a JavaScript Date holds, in seconds (the Engine gives history times so). */
const MAX_DATE_SECONDS = 8.64e12;

/** Throws DAEMON_ERROR unless `doc` has the shape of the Engine's image inspect answer. */
export function checkInspectAnswer(doc: unknown, what: string): asserts doc is InspectInfo {
  const s: Shape = new Shape(`${what}: image description`, 'DAEMON_ERROR');
  if (!isPlainObject(doc)) s.fail('the answer', doc, 'an object');
  checkDepth(doc, `${what}: image description`);
  if (typeof doc.Id !== 'string' || !doc.Id) s.fail('Id', doc.Id, 'a string');
  for (const key of ['Created', 'Author', 'Architecture', 'Variant', 'Os']) s.string(doc, key, key);
  s.number(doc, 'Size', 'Size');
  for (const key of ['RepoTags', 'RepoDigests']) s.strings(doc, key, key);
  s.object(doc, 'Config', 'Config');
  const rootfs = s.object(doc, 'RootFS', 'RootFS');
  if (rootfs) {
    s.string(rootfs, 'Type', 'RootFS.Type');
    s.strings(rootfs, 'Layers', 'RootFS.Layers');
  }
}

/** Throws DAEMON_ERROR unless `doc` has the shape of the Engine's image history answer. */
export function checkHistoryAnswer(doc: unknown, what: string): asserts doc is ApiHistoryItem[] {
  const s: Shape = new Shape(`${what}: history`, 'DAEMON_ERROR');
  if (!Array.isArray(doc)) s.fail('the answer', doc, 'a list');
  doc.forEach((h: unknown, i: number) => {
    if (!isPlainObject(h)) s.fail(`[${i}]`, h, 'an object');
    for (const key of ['CreatedBy', 'Comment']) s.string(h, key, `[${i}].${key}`);
    s.number(h, 'Size', `[${i}].Size`);
    const created = h.Created;
    if (
      created !== undefined &&
      created !== null &&
      !(typeof created === 'number' && Math.abs(created) <= MAX_DATE_SECONDS)
    )
      s.fail(`[${i}].Created`, created, 'a time in seconds');
  });
}
