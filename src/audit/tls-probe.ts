/**
 * One TLS handshake to read a server's certificate: trusted or not (and why), validity window,
 * days left, hostname match, self-signed. Verification is done by hand (rejectUnauthorized off) so
 * a bad certificate is described instead of aborting the audit.
 */
import tls from 'node:tls';
import type { TlsMaterial } from '../sources/registry/transport.js';

export interface TlsFacts {
  /** Chain verified against the system roots plus any given CA. */
  trusted: boolean;
  /** Why not (OpenSSL code such as SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED). */
  error?: string;
  hostnameMatches: boolean;
  hostnameError?: string;
  subject?: string;
  issuer?: string;
  validFrom?: string;
  validTo?: string;
  daysLeft?: number;
  expired: boolean;
  notYetValid: boolean;
  selfSigned: boolean;
  protocol?: string;
}

export function probeTls(host: string, port: number, material: TlsMaterial, timeoutMs = 10_000): Promise<TlsFacts> {
  return new Promise((resolve, reject) => {
    const isIp = /^[\d.]+$/.test(host) || host.includes(':');
    const socket = tls.connect({
      host,
      port,
      servername: isIp ? undefined : host,
      ca: material.ca.length ? [...tls.rootCertificates, ...material.ca.map((b) => b.toString('utf8'))] : undefined,
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error(`TLS handshake with ${host}:${port} timed out`), { code: 'ETIMEDOUT' })),
    );
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      const now = Date.now();
      const from = cert.valid_from ? Date.parse(cert.valid_from) : NaN;
      const to = cert.valid_to ? Date.parse(cert.valid_to) : NaN;
      const idErr =
        cert && Object.keys(cert).length ? tls.checkServerIdentity(host, cert) : new Error('no certificate');
      const facts: TlsFacts = {
        trusted: socket.authorized,
        error: socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown'),
        hostnameMatches: !idErr,
        hostnameError: idErr ? idErr.message : undefined,
        subject: cert.subject?.CN ? String(cert.subject.CN) : undefined,
        issuer: cert.issuer?.CN ? String(cert.issuer.CN) : cert.issuer?.O ? String(cert.issuer.O) : undefined,
        validFrom: Number.isFinite(from) ? new Date(from).toISOString() : undefined,
        validTo: Number.isFinite(to) ? new Date(to).toISOString() : undefined,
        daysLeft: Number.isFinite(to) ? Math.floor((to - now) / 86_400_000) : undefined,
        expired: Number.isFinite(to) && to < now,
        notYetValid: Number.isFinite(from) && from > now,
        selfSigned:
          !!cert.fingerprint256 &&
          cert.issuerCertificate?.fingerprint256 === cert.fingerprint256 &&
          cert.subject?.CN === cert.issuer?.CN,
        protocol: socket.getProtocol() ?? undefined,
      };
      socket.end();
      resolve(facts);
    });
  });
}
