/** Registry-audit findings: the scan's Finding shape, image-level fields null, id stable per host + rule. */
import { makeFinding } from '../findings/make.js';
import type { Category, Finding, Severity } from '../findings/types.js';

export type AuditRule =
  | 'registry-plain-http'
  | 'registry-http-no-redirect'
  | 'registry-no-auth'
  | 'registry-basic-over-http'
  | 'registry-auth-required'
  | 'registry-token-realm-http'
  | 'registry-tls-expired'
  | 'registry-tls-untrusted'
  | 'registry-tls-hostname'
  | 'registry-tls-expiring'
  | 'registry-tls-valid'
  | 'registry-catalog-anonymous'
  | 'registry-anonymous-pull'
  | 'registry-anonymous-push'
  | 'registry-delete-enabled';

const CATEGORY: Record<AuditRule, Category> = {
  'registry-plain-http': 'config',
  'registry-http-no-redirect': 'config',
  'registry-no-auth': 'permissions',
  'registry-basic-over-http': 'config',
  'registry-auth-required': 'config',
  'registry-token-realm-http': 'config',
  'registry-tls-expired': 'config',
  'registry-tls-untrusted': 'config',
  'registry-tls-hostname': 'config',
  'registry-tls-expiring': 'config',
  'registry-tls-valid': 'config',
  'registry-catalog-anonymous': 'permissions',
  'registry-anonymous-pull': 'permissions',
  'registry-anonymous-push': 'permissions',
  'registry-delete-enabled': 'permissions',
};

const REMEDIATION: Record<AuditRule, string> = {
  'registry-plain-http':
    'Serve the registry over HTTPS (http.tls in the distribution config, or a TLS-terminating proxy) and remove insecure-registries entries from clients.',
  'registry-http-no-redirect': 'Redirect plain HTTP to HTTPS, or stop listening on plain HTTP.',
  'registry-no-auth':
    'Configure authentication (auth.htpasswd or auth.token) or restrict network access to the registry.',
  'registry-basic-over-http': 'Enable TLS before Basic auth; rotate every password that was used over plain HTTP.',
  'registry-auth-required': 'No action needed.',
  'registry-token-realm-http': 'Serve the token service over HTTPS.',
  'registry-tls-expired': 'Renew the certificate (and automate renewal).',
  'registry-tls-untrusted':
    'Use a certificate from a CA clients trust, or distribute the CA to clients (/etc/docker/certs.d/HOST:PORT/ca.crt).',
  'registry-tls-hostname': 'Issue the certificate for the host name clients use (subjectAltName).',
  'registry-tls-expiring': 'Renew the certificate before it expires.',
  'registry-tls-valid': 'No action needed.',
  'registry-catalog-anonymous':
    'Require authentication for /v2/_catalog (token scope registry:catalog:*) or block the endpoint at the proxy.',
  'registry-anonymous-pull': 'If the images are not meant to be public, require authentication for pulls.',
  'registry-anonymous-push':
    'Require authentication for push immediately, and check the registry for images you did not push.',
  'registry-delete-enabled':
    'Require authentication for DELETE, or disable deletion (storage.delete.enabled: false) if you do not garbage-collect.',
};

export function auditFinding(
  ruleId: AuditRule,
  host: string,
  severity: Severity,
  title: string,
  message: string,
  properties?: Record<string, unknown>,
): Finding {
  return makeFinding({
    ruleId,
    category: CATEGORY[ruleId],
    severity,
    title,
    message,
    remediation: REMEDIATION[ruleId],
    discriminator: host,
    properties: { host, ...properties },
  });
}
