/** A Finding literal for report and order tests: every field at its empty value, `over` on top. */
import type { Finding } from '../../src/findings/types.js';

export function testFinding(over: Partial<Finding>): Finding {
  return {
    id: 'id',
    ruleId: 'config-user-root',
    category: 'config',
    severity: 'low',
    title: 'title',
    message: 'message',
    path: null,
    layerIndex: null,
    layerDigest: null,
    deletedInLayerIndex: null,
    key: null,
    line: null,
    evidence: null,
    remediation: 'remediation',
    ...over,
  };
}
