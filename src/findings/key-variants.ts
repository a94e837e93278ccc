/**
 * The `config-key-variant` check: image metadata whose keys the runtimes read otherwise than they
 * are spelled (ImageMeta.keyVariants, engine/go-json.ts). Docker, containerd and the registries
 * decode configs and manifests with Go's encoding/json: a key matches its field in any case, and
 * the last of a repeated field wins. `{"User":"app","user":""}` runs as root; a scanner that reads
 * the spec's spelling sees "app". No build tool writes such a document: it was made to show one
 * thing to readers and run another. layerlens shows what the runtimes read; this says where the
 * two readings part.
 */
import type { DocumentVariant, ImageMeta } from '../engine/types.js';
import { makeFinding } from './make.js';
import type { Finding } from './types.js';

/** Variants named in a finding's message (all of them are in its properties). */
const SHOWN = 6;

const q = (s: string) => JSON.stringify(s);

function said(v: DocumentVariant): string {
  return v.how === 'case' ? `${q(v.written)} sets ${q(v.field)}` : `${q(v.field)} is given more than once`;
}

export function keyVariantFindings(meta: ImageMeta): Finding[] {
  const byDocument = new Map<string, DocumentVariant[]>();
  for (const v of meta.keyVariants ?? []) {
    const list = byDocument.get(v.document) ?? [];
    list.push(v);
    byDocument.set(v.document, list);
  }
  const out: Finding[] = [];
  for (const [document, list] of byDocument) {
    const more = list.length > SHOWN ? ` and ${list.length - SHOWN} more` : '';
    out.push(
      makeFinding({
        ruleId: 'config-key-variant',
        category: 'config',
        severity: 'high',
        title: `The ${document} is read otherwise than it is spelled`,
        message:
          `The image's ${document} holds keys that Docker and containerd read otherwise than they are spelled: ` +
          `${list.slice(0, SHOWN).map(said).join('; ')}${more}. They decode it with Go's encoding/json, where a key ` +
          'matches its field in any case and the last of a repeated field wins; layerlens shows what they read, ' +
          'while tools that read the spelling as the spec writes it see other values. No build tool writes this.',
        remediation:
          'Treat the image as crafted to mislead scanners: rebuild it from its Dockerfile, and do not run it until you know who wrote its metadata and why.',
        discriminator: document,
        properties: {
          document,
          variants: list.map((v) => ({ written: v.written, field: v.field, how: v.how })),
        },
      }),
    );
  }
  return out;
}
