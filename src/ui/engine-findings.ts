/**
 * Findings the explorer can derive from the engine alone, so the Findings panel works before (and
 * without) the full checks: files added in one layer and deleted or overwritten in a later one
 * (still shipped in the lower layer), and EXPOSEd ports with a service/risk note. When the CLI
 * passes the real checks' findings, the panel shows those instead.
 */
import { createHash } from 'node:crypto';
import type { ImageModel } from '../engine/image.js';
import type { TreeNode } from '../engine/tree.js';
import type { Finding, Severity } from '../findings/types.js';
import { severityRank } from '../findings/types.js';
import { formatBytes } from '../text/bytes.js';
import { exposedPorts, PUBLISH_ALL_NOTE } from './ports.js';

/** Names that are worth a finding of their own when a later layer hides them. */
const SENSITIVE_NAME =
  /(^|\/)(id_(rsa|dsa|ecdsa|ed25519)|[^/]*\.(pem|key|p12|pfx|jks|keystore|ppk|asc|gpg)|\.env(\.[^/]*)?|\.npmrc|\.pypirc|\.netrc|\.pgpass|\.git-credentials|\.htpasswd|credentials(\.json)?|[^/]*(secret|token|passw|apikey|api_key)[^/]*|\.docker\/config\.json|\.kube\/config|shadow)$/i;
const CONFIG_NAME = /(^|\/)([^/]*\.(ya?ml|json|ini|toml|conf|cfg|properties|xml)|[^/]*rc)$/i;

function fingerprint(...parts: (string | number | null)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function layerDigest(model: ImageModel, i: number): string | null {
  const d = model.meta?.layers[i];
  return d?.digest ?? d?.diffId ?? model.layers[i]?.diffId ?? null;
}

/** Deleted/overwritten files and exposed ports, sorted by severity. */
export function engineFindings(model: ImageModel): Finding[] {
  const out: Finding[] = [];
  const tree = model.tree;
  for (let layer = 0; layer < tree.layerCount; layer++) {
    let hiddenFiles = 0;
    let hiddenBytes = 0;
    for (const node of tree.changesByLayer[layer] ?? []) {
      const now = node.versionIn(layer);
      if (!now || now.change === 'added') continue;
      const before = node.versionAt(layer - 1);
      if (!before || before.change === 'removed' || before.type !== 'file') continue;
      hiddenFiles++;
      hiddenBytes += before.size;
      const f = hiddenFileFinding(model, node, before.layer, layer, now.change === 'removed', before.size);
      if (f) out.push(f);
    }
    if (hiddenFiles > 0 && hiddenBytes >= 1_000_000) {
      out.push({
        id: fingerprint('LL-WASTED-BYTES', layer),
        ruleId: 'LL-WASTED-BYTES',
        category: 'efficiency',
        severity: 'low',
        title: `Layer ${layer} hides ${hiddenFiles} file${hiddenFiles === 1 ? '' : 's'} (${formatBytes(hiddenBytes)}) that lower layers still ship`,
        message: `Deleting or overwriting files in a later layer does not make the image smaller: the ${formatBytes(hiddenBytes)} stay in the lower layers and are downloaded by every pull.`,
        path: null,
        layerIndex: layer,
        layerDigest: layerDigest(model, layer),
        deletedInLayerIndex: layer,
        key: null,
        line: null,
        evidence: null,
        remediation: 'Remove files in the same RUN step that creates them, or use a multi-stage build.',
        properties: { files: hiddenFiles, wastedBytes: hiddenBytes },
      });
    }
  }
  for (const p of exposedPorts(model.meta?.config.config?.ExposedPorts)) {
    out.push({
      id: fingerprint('LL-EXPOSED-PORT', p.spec),
      ruleId: 'LL-EXPOSED-PORT',
      category: 'port',
      severity: p.info.severity,
      title: `Port ${p.spec} exposed (${p.info.service})`,
      message: `${p.info.service}: ${p.info.risk}. ${PUBLISH_ALL_NOTE}`,
      path: null,
      layerIndex: null,
      layerDigest: null,
      deletedInLayerIndex: null,
      key: p.spec,
      line: null,
      evidence: null,
      remediation:
        p.info.severity === 'info'
          ? 'Expose only the ports the service needs.'
          : `Do not ship ${p.info.service} in the image; if it is needed, bind it to a private network and require authentication.`,
      properties: { port: p.port, protocol: p.protocol, service: p.info.service },
    });
  }
  return sortFindings(out);
}

function hiddenFileFinding(
  model: ImageModel,
  node: TreeNode,
  addedIn: number,
  hiddenIn: number,
  deleted: boolean,
  size: number,
): Finding | null {
  const path = node.path;
  const sensitive = SENSITIVE_NAME.test(path);
  const config = !sensitive && CONFIG_NAME.test(path);
  if (!sensitive && !config) return null;
  const severity: Severity = sensitive ? 'high' : 'medium';
  const how = deleted ? 'deleted' : 'overwritten';
  const ruleId = deleted ? 'LL-DELETED-FILE' : 'LL-OVERWRITTEN-FILE';
  return {
    id: fingerprint(ruleId, path, addedIn, hiddenIn),
    ruleId,
    category: 'deleted-file',
    severity,
    title: `${path} ${how} in layer ${hiddenIn} but still shipped in layer ${addedIn}`,
    message: `${sensitive ? 'A sensitive file' : 'A configuration file'} (${formatBytes(size)}) added in layer ${addedIn} is ${how} by layer ${hiddenIn}; anyone who pulls the image can read the version in layer ${addedIn}.`,
    path,
    layerIndex: addedIn,
    layerDigest: layerDigest(model, addedIn),
    deletedInLayerIndex: hiddenIn,
    key: null,
    line: null,
    evidence: null,
    remediation: sensitive
      ? 'Rotate the secret, and never COPY it into a layer: use build secrets (RUN --mount=type=secret) or a multi-stage build.'
      : 'Check the older version for secrets; write the final file in one step (multi-stage build).',
    properties: { sizeBytes: size, how },
  };
}

export function sortFindings(fs: Finding[]): Finding[] {
  return fs
    .slice()
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        (a.layerIndex ?? 1e9) - (b.layerIndex ?? 1e9) ||
        (a.path ?? '').localeCompare(b.path ?? '') ||
        a.title.localeCompare(b.title),
    );
}
