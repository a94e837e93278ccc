/**
 * How layerlens talks to a registry host: HTTPS with verified certificates by default; extra CAs
 * and client certificates from /etc/docker/certs.d/HOST:PORT/ (as Docker reads them: *.crt are
 * CAs, *.cert + *.key are client pairs) and --ca-file; --insecure disables verification; plain
 * HTTP only with --plain-http, or as a fallback for loopback registries when HTTPS does not
 * answer (as Docker treats localhost and 127.0.0.0/8).
 */
import { readdirSync } from 'node:fs';
import { readClientFile } from '../docker-config.js';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { LayerlensError } from '../../errors/index.js';

export const DEFAULT_CERTS_DIR = '/etc/docker/certs.d';

export interface TransportOptions {
  insecure?: boolean;
  plainHttp?: boolean;
  caFile?: string;
  /** Docker's per-registry certificate directory root (tests point it elsewhere). */
  certsDir?: string;
}

export interface TlsMaterial {
  /** Extra CA certificates (added to Node's bundled roots). */
  ca: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  /** Files used, for notes. */
  files: string[];
}

export interface Endpoint {
  /** host[:port] of the API. */
  host: string;
  scheme: 'https' | 'http';
  agent: http.Agent;
  /** One line for meta.notes: which transport, verified or not, and why. */
  description: string;
  verified: boolean;
}

export function isLoopbackHost(host: string): boolean {
  const h = hostOnly(host).toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** 'host:port' → 'host'; '[::1]:5000' → '::1'. */
export function hostOnly(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** A PEM file of certs.d (a regular file of bounded size: docker-config.ts). */
function readPem(file: string): Buffer {
  const data = readClientFile(file);
  if (!data) throw new LayerlensError(`cannot read ${file}`, 'TLS');
  return data;
}

/** Read CAs and client certificates for a host the way Docker does, plus --ca-file. */
export function loadTlsMaterial(host: string, opts: TransportOptions): TlsMaterial {
  const out: TlsMaterial = { ca: [], files: [] };
  const dir = path.join(opts.certsDir ?? DEFAULT_CERTS_DIR, host.replace(/[/\\]/g, '_'));
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    /* no directory for this host */
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.endsWith('.crt')) {
      out.ca.push(readPem(file));
      out.files.push(file);
    } else if (name.endsWith('.cert')) {
      const keyFile = path.join(dir, name.slice(0, -'.cert'.length) + '.key');
      const key = readClientFile(keyFile);
      if (!key) throw new LayerlensError(`client certificate ${file} has no matching key ${keyFile}`, 'TLS');
      out.cert = readPem(file);
      out.key = key;
      out.files.push(file, keyFile);
    } else if (name.endsWith('.key')) {
      const certFile = path.join(dir, name.slice(0, -'.key'.length) + '.cert');
      if (!names.includes(path.basename(certFile)))
        throw new LayerlensError(`client key ${file} has no matching certificate ${certFile}`, 'TLS');
    }
  }
  if (opts.caFile) {
    const ca = readClientFile(opts.caFile);
    if (!ca) throw new LayerlensError(`cannot read --ca-file ${opts.caFile}`, 'USAGE');
    out.ca.push(ca);
    out.files.push(opts.caFile);
  }
  return out;
}

/**
 * How to build an agent, as plain data: the download worker builds its own agents from these
 * (fetch-thread.ts), the main thread from the same function.
 */
export interface AgentSpec {
  https: boolean;
  /** Extra CA certificates (PEM), added to Node's bundled roots. */
  ca?: string[];
  cert?: string;
  key?: string;
  /** Skip certificate verification. */
  insecure?: boolean;
}

export function agentFromSpec(spec: AgentSpec): http.Agent {
  if (!spec.https) return new http.Agent({ keepAlive: true, maxSockets: 16 });
  return new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: spec.ca?.length ? [...tls.rootCertificates, ...spec.ca] : undefined,
    cert: spec.cert,
    key: spec.key,
    rejectUnauthorized: !spec.insecure,
  });
}

export function httpsSpec(material: TlsMaterial, insecure: boolean): AgentSpec {
  return {
    https: true,
    ca: material.ca.map((b) => b.toString('utf8')),
    cert: material.cert?.toString('utf8'),
    key: material.key?.toString('utf8'),
    insecure,
  };
}

/**
 * The agent for each URL a client talks to: the registry's own (the endpoint's); other hosts
 * (CDNs, storage, token services) verified with the system roots plus any CA the user gave for
 * this registry — --insecure covers only the registry's own host name.
 */
export class Agents {
  private readonly made = new Map<string, http.Agent>();

  constructor(
    readonly endpoint: Endpoint,
    private readonly material: TlsMaterial,
    private readonly insecure: boolean,
  ) {}

  specFor(url: URL): AgentSpec {
    if (url.protocol !== 'https:') return { https: false };
    const ownHost = hostOnly(url.host) === hostOnly(this.endpoint.host);
    return httpsSpec(this.material, this.insecure && ownHost);
  }

  for(url: URL): http.Agent {
    if (url.origin === `${this.endpoint.scheme}://${this.endpoint.host}`) return this.endpoint.agent;
    const spec = this.specFor(url);
    const key = JSON.stringify(spec);
    let a = this.made.get(key);
    if (!a) this.made.set(key, (a = agentFromSpec(spec)));
    return a;
  }

  close(): void {
    this.endpoint.agent.destroy();
    for (const a of this.made.values()) a.destroy();
    this.made.clear();
  }
}

/** Certificate verification failures (never a reason to fall back to plain HTTP). */
export function isCertificateError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  return (
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|ERR_TLS_CERT/.test(code) ||
    /certificate|self[- ]signed/i.test((err as Error)?.message ?? '')
  );
}

/** The server did not speak TLS (a plain-HTTP server answered the handshake). */
export function isTlsProtocolError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  const msg = (err as Error)?.message ?? '';
  return (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL') ||
    /wrong version number|packet length too long|http request/i.test(msg) ||
    code === 'ECONNRESET'
  );
}

export function describeCertificateError(host: string, err: unknown): LayerlensError {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  const why = (err as Error)?.message ?? String(err);
  return new LayerlensError(
    `TLS certificate of ${host} is not trusted (${code || why}): add its CA with --ca-file or to ${DEFAULT_CERTS_DIR}/${host}/ca.crt, or pass --insecure to skip verification`,
    'TLS',
  );
}
