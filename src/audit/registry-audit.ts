/**
 * `layerlens registry audit URL`: a registry's security posture as an anonymous client sees it.
 * Read-mostly: the only writes are (1) starting a blob upload, which is cancelled at once with
 * DELETE on its upload URL so nothing is stored, and (2) a DELETE of a manifest digest that cannot
 * exist (random), whose answer tells whether deletion is enabled (distribution answers 405
 * UNSUPPORTED when it is disabled, 404 MANIFEST_UNKNOWN when enabled) without deleting anything.
 */
import { randomBytes } from 'node:crypto';
import { LayerlensError } from '../errors/index.js';
import type { Finding } from '../findings/types.js';
import { RegistryClient } from '../sources/registry/client.js';
import { distributionErrors, nextLink } from '../sources/registry/distribution.js';
import {
  ERROR_BODY_LIMIT,
  LIST_LIMIT,
  MAX_CATALOG_NAMES,
  MAX_CATALOG_PAGES,
  MAX_CONNECT_MS,
} from '../sources/registry/limits.js';
import { MANIFEST_ACCEPT } from '../sources/registry/manifest.js';
import { discard, send } from '../sources/registry/send.js';
import { networkReason } from '../sources/registry/exchange-errors.js';
import { Deadline, requestTimeout } from '../sources/registry/timeouts.js';
import {
  isLoopbackHost,
  isCertificateError,
  isTlsProtocolError,
  loadTlsMaterial,
} from '../sources/registry/transport.js';
import { auditFinding } from './findings.js';
import { probeTls, type TlsFacts } from './tls-probe.js';

export interface AuditOptions {
  /** Repository to test pulls/pushes against when the catalog is closed or empty. */
  repository?: string;
  insecure?: boolean;
  caFile?: string;
  certsDir?: string;
  /** Catalog page size (n=) and page cap. */
  pageSize?: number;
  maxPages?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export type Outcome = 'allowed' | 'denied' | 'not-tested' | 'error';

export interface AuditFacts {
  target: string;
  host: string;
  scheme: 'https' | 'http';
  loopback: boolean;
  tls?: TlsFacts;
  /** What plain HTTP does next to HTTPS. */
  httpRedirect?: 'redirects-to-https' | 'serves-http' | 'refused-on-tls-port' | 'not-listening' | 'unknown';
  apiStatus: number;
  authScheme: 'none' | 'basic' | 'bearer' | 'other';
  tokenRealm?: string;
  catalog: {
    status: 'readable' | 'auth-required' | 'not-served' | 'error';
    repositories?: number;
    pages?: number;
    truncated?: boolean;
    /** The next links looped back (or a page repeated names): counted once each. */
    loop?: boolean;
    sample?: string[];
    detail?: string;
  };
  anonymousPull: { status: Outcome; repository?: string; tag?: string; detail?: string };
  anonymousPush: { status: Outcome; repository?: string; cancelled?: boolean; detail?: string };
  deletion: {
    status: 'enabled' | 'disabled' | 'needs-auth' | 'unknown' | 'error';
    repository?: string;
    detail?: string;
  };
}

export interface AuditResult {
  facts: AuditFacts;
  findings: Finding[];
}

interface Target {
  scheme?: 'https' | 'http';
  hostname: string;
  port?: number;
  /** host[:port] as written */
  host: string;
}

export function parseTarget(input: string): Target {
  const m = /^(?:(https?):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:\/.*)?$/.exec(input.trim());
  if (!m)
    throw new LayerlensError(
      `invalid registry URL ${JSON.stringify(input)}: expected https://host[:port], http://host[:port] or host[:port]`,
      'USAGE',
    );
  const port = m[3] !== undefined ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535))
    throw new LayerlensError(`invalid port in ${JSON.stringify(input)}`, 'USAGE');
  const hostname = m[2].replace(/^\[|\]$/g, '');
  return { scheme: m[1] as Target['scheme'], hostname, port, host: m[3] ? `${m[2]}:${m[3]}` : m[2] };
}

export async function auditRegistry(input: string, opts: AuditOptions = {}): Promise<AuditResult> {
  const t = parseTarget(input);
  const loopback = isLoopbackHost(t.hostname);
  const findings: Finding[] = [];
  const add = (
    ruleId: Parameters<typeof auditFinding>[0],
    severity: Finding['severity'],
    title: string,
    message: string,
    properties?: Record<string, unknown>,
  ) => findings.push(auditFinding(ruleId, t.host, severity, title, message, properties));

  // --- transport: HTTPS first unless http:// was asked for
  let scheme: 'https' | 'http' = t.scheme ?? 'https';
  let tlsFacts: TlsFacts | undefined;
  if (scheme === 'https') {
    try {
      tlsFacts = await probeTls(
        t.hostname,
        t.port ?? 443,
        loadTlsMaterial(t.host, opts),
        Math.min(requestTimeout(opts.timeoutMs), MAX_CONNECT_MS),
      );
    } catch (err) {
      // No scheme given: a server that does not speak TLS, or nothing on the HTTPS port, may
      // still serve plain HTTP (port 80 when no port was given).
      if (!t.scheme && (isTlsProtocolError(err) || (err as NodeJS.ErrnoException).code === 'ECONNREFUSED'))
        scheme = 'http';
      else throw new LayerlensError(`cannot reach ${t.host} over HTTPS: ${networkReason(err)}`, 'NETWORK');
    }
  }
  const client = await RegistryClient.connect(t.host, {
    plainHttp: scheme === 'http',
    // Audit even a badly certified registry (anonymously, nothing secret is sent); the
    // certificate problems are findings below.
    insecure: opts.insecure || (tlsFacts ? !tlsFacts.trusted || !tlsFacts.hostnameMatches : false),
    caFile: opts.caFile,
    certsDir: opts.certsDir,
    timeoutMs: opts.timeoutMs,
    retry: { retries: 1, baseDelayMs: 200, maxDelayMs: 1000 },
    log: opts.log,
  }).catch((err: unknown) => {
    if (isCertificateError(err)) throw new LayerlensError(`${t.host}: ${(err as Error).message}`, 'TLS');
    throw err;
  });

  const facts: AuditFacts = {
    target: input,
    host: t.host,
    scheme,
    loopback,
    tls: tlsFacts,
    apiStatus: client.pingStatus,
    authScheme: 'none',
    catalog: { status: 'error' },
    anonymousPull: { status: 'not-tested' },
    anonymousPush: { status: 'not-tested' },
    deletion: { status: 'unknown' },
  };
  try {
    // --- transport findings
    if (scheme === 'http') {
      add(
        'registry-plain-http',
        loopback ? 'low' : 'high',
        'Registry API served over plain HTTP',
        `${t.host} answers the registry API over unencrypted HTTP: image content, tokens and passwords cross the network in clear${loopback ? ' (it listens on a loopback address, so only this machine can reach it)' : ''}.`,
      );
    } else if (tlsFacts) {
      tlsFindings(tlsFacts, t.host, add);
      facts.httpRedirect = await probeHttpRedirect(t.hostname, t.port, Math.min(requestTimeout(opts.timeoutMs), 5_000));
      if (facts.httpRedirect === 'serves-http') {
        add(
          'registry-http-no-redirect',
          'medium',
          'Registry also served over plain HTTP',
          `http://${t.hostname}${t.port && t.port !== 443 ? `:${t.port}` : ''}/v2/ answers the API instead of redirecting to HTTPS.`,
        );
      }
    }

    // --- authentication
    const ch = client.challenge;
    facts.authScheme =
      client.pingStatus === 200
        ? 'none'
        : ch?.scheme === 'basic'
          ? 'basic'
          : ch?.scheme === 'bearer'
            ? 'bearer'
            : 'other';
    if (facts.authScheme === 'none') {
      add(
        'registry-no-auth',
        'high',
        'Registry requires no authentication',
        `GET /v2/ on ${t.host} answers 200 without credentials: the registry has no authentication configured.`,
      );
    } else if (facts.authScheme === 'basic') {
      if (scheme === 'http') {
        add(
          'registry-basic-over-http',
          loopback ? 'medium' : 'critical',
          'Basic auth over plain HTTP: passwords in clear',
          `${t.host} asks for HTTP Basic credentials over unencrypted HTTP, so every client sends its password in clear (base64) with every request.`,
        );
      } else {
        add(
          'registry-auth-required',
          'info',
          'Authentication required (HTTP Basic over HTTPS)',
          `${t.host} requires credentials (WWW-Authenticate: Basic) before answering the API.`,
          { scheme: 'basic' },
        );
      }
    } else if (facts.authScheme === 'bearer') {
      const realm = realmForReport(ch?.params.realm);
      const service = ch?.params.service;
      facts.tokenRealm = realm;
      add(
        'registry-auth-required',
        'info',
        'Authentication required (Bearer token service)',
        `${t.host} requires a bearer token from ${realm ?? 'its token service'}${service && service.length <= 200 ? ` (service ${JSON.stringify(service)})` : ''}.`,
        { scheme: 'bearer', realm },
      );
      if (realm?.startsWith('http://') && !isLoopbackHost(safeHost(realm))) {
        add(
          'registry-token-realm-http',
          'high',
          'Token service over plain HTTP',
          `The token service ${realm} is plain HTTP: clients send their credentials to it in clear.`,
        );
      }
    } else {
      add(
        'registry-auth-required',
        'info',
        'Authentication required',
        `${t.host} answered GET /v2/ with ${client.pingStatus}.`,
      );
    }

    // --- catalog
    facts.catalog = await readCatalog(client, opts);
    const c = facts.catalog;
    if (c.status === 'readable') {
      const sample = c.sample?.length ? ` (e.g. ${c.sample.join(', ')})` : '';
      add(
        'registry-catalog-anonymous',
        c.repositories ? 'medium' : 'low',
        'Repository catalog readable without credentials',
        `GET /v2/_catalog lists ${c.repositories}${c.truncated ? '+' : ''} repositor${c.repositories === 1 ? 'y' : 'ies'} to anonymous clients${sample}, over ${c.pages} page${c.pages === 1 ? '' : 's'}${c.loop ? ' (its next link loops back to pages already read: each name is counted once)' : ''}.`,
        { repositories: c.repositories, truncated: !!c.truncated, ...(c.loop ? { loop: true } : {}) },
      );
    }

    const repository = opts.repository ?? c.sample?.[0];
    // --- anonymous pull
    if (repository) {
      facts.anonymousPull = await tryPull(client, repository);
      if (facts.anonymousPull.status === 'allowed') {
        add(
          'registry-anonymous-pull',
          'medium',
          'Anonymous clients can pull images',
          `An anonymous client pulled the manifest of ${repository}:${facts.anonymousPull.tag}. Fine for public images; a leak for anything private.`,
          { repository },
        );
      }
    }

    // --- anonymous push (started, then cancelled)
    const pushRepo = repository ?? 'layerlens-audit/probe';
    facts.anonymousPush = await tryPushStart(client, pushRepo);
    if (facts.anonymousPush.status === 'allowed') {
      add(
        'registry-anonymous-push',
        'critical',
        'Anonymous clients can push',
        `An anonymous POST /v2/${pushRepo}/blobs/uploads/ was accepted (202): anyone can upload images and overwrite tags. layerlens cancelled the upload at once${facts.anonymousPush.cancelled ? '' : " (the cancel was refused; the empty upload expires with the registry's upload purging)"}; nothing was written.`,
        { repository: pushRepo, cancelled: facts.anonymousPush.cancelled },
      );
    }

    // --- deletion (probe with a digest that cannot exist)
    facts.deletion = await probeDeletion(client, pushRepo);
    if (facts.deletion.status === 'enabled') {
      add(
        'registry-delete-enabled',
        'high',
        'Anonymous clients reach manifest deletion',
        `Deletion is enabled and open to anonymous clients: a DELETE of a random, non-existent manifest digest in ${pushRepo} answered 404 MANIFEST_UNKNOWN instead of 405 UNSUPPORTED (layerlens never deletes anything; the digest cannot exist).`,
        { repository: pushRepo },
      );
    }
  } finally {
    client.close();
  }
  return { facts, findings };
}

/** The realm as a report shows it: a URL of sane length, never the header's raw text. */
function realmForReport(realm: string | undefined): string | undefined {
  if (realm === undefined) return undefined;
  try {
    const href = new URL(realm).href;
    return href.length <= 200 ? href : `${href.slice(0, 200)}…`;
  } catch {
    return '(not a URL)';
  }
}

function safeHost(u: string): string {
  try {
    return new URL(u).hostname;
  } catch {
    return '';
  }
}

function tlsFindings(
  f: TlsFacts,
  host: string,
  add: (
    ruleId: Parameters<typeof auditFinding>[0],
    severity: Finding['severity'],
    title: string,
    message: string,
    properties?: Record<string, unknown>,
  ) => void,
): void {
  const props = { subject: f.subject, issuer: f.issuer, validTo: f.validTo, daysLeft: f.daysLeft };
  if (f.expired)
    add(
      'registry-tls-expired',
      'high',
      'TLS certificate expired',
      `The certificate of ${host} expired on ${f.validTo}.`,
      props,
    );
  else if (f.notYetValid)
    add(
      'registry-tls-untrusted',
      'high',
      'TLS certificate not yet valid',
      `The certificate of ${host} is valid only from ${f.validFrom}.`,
      props,
    );
  if (!f.hostnameMatches)
    add(
      'registry-tls-hostname',
      'high',
      'TLS certificate does not match the host name',
      `${f.hostnameError ?? 'hostname mismatch'}.`,
      props,
    );
  if (!f.trusted && !f.expired && !f.notYetValid) {
    add(
      'registry-tls-untrusted',
      'high',
      'TLS certificate not trusted',
      `The certificate of ${host} does not verify against the system CAs${f.selfSigned ? ' (it is self-signed)' : ''}: ${f.error}. Clients must skip verification or add a CA.`,
      props,
    );
  }
  if (f.trusted && f.hostnameMatches && !f.expired) {
    if (f.daysLeft !== undefined && f.daysLeft < 30) {
      add(
        'registry-tls-expiring',
        f.daysLeft < 14 ? 'medium' : 'low',
        'TLS certificate expires soon',
        `The certificate of ${host} expires in ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'} (${f.validTo}).`,
        props,
      );
    }
    add(
      'registry-tls-valid',
      'info',
      'TLS certificate valid',
      `The certificate of ${host} is trusted, matches the host name and is valid until ${f.validTo} (issuer: ${f.issuer ?? 'unknown'}, ${f.protocol ?? 'TLS'}).`,
      props,
    );
  }
}

async function probeHttpRedirect(
  hostname: string,
  port: number | undefined,
  timeoutMs: number,
): Promise<AuditFacts['httpRedirect']> {
  const samePort = port !== undefined && port !== 443;
  const url = new URL(`http://${hostname.includes(':') ? `[${hostname}]` : hostname}${samePort ? `:${port}` : ''}/v2/`);
  try {
    const res = await send({ method: 'GET', url, timing: new Deadline(timeoutMs).timing(true) });
    discard(res);
    const status = res.statusCode ?? 0;
    const loc = String(res.headers.location ?? '');
    if ([301, 302, 307, 308].includes(status) && loc.startsWith('https://')) return 'redirects-to-https';
    if (status === 400 && samePort) return 'refused-on-tls-port';
    if (status === 200 || status === 401) return 'serves-http';
    return 'unknown';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return 'not-listening';
    if (samePort) return 'refused-on-tls-port';
    return 'unknown';
  }
}

/** A repository name as the Distribution spec writes them (path components of lower-case words). */
const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_NAME = /^[\w][\w.-]{0,127}$/;

/**
 * Every page of /v2/_catalog (Link rel="next", on the registry itself). A next link that points
 * back to a page already read, or a page that brings no new name, ends the walk as a loop; names
 * are counted once however often they are listed. Bounded: MAX_CATALOG_PAGES pages,
 * MAX_CATALOG_NAMES distinct names.
 */
async function readCatalog(client: RegistryClient, opts: AuditOptions): Promise<AuditFacts['catalog']> {
  const n = opts.pageSize ?? 1000;
  const maxPages = opts.maxPages ?? MAX_CATALOG_PAGES;
  let url: URL | undefined = new URL(`/v2/_catalog?n=${n}`, client.origin);
  const visited = new Set<string>();
  const names = new Set<string>();
  let pages = 0;
  let loop = false;
  let truncated = false;
  const sample: string[] = [];
  try {
    while (url) {
      if (visited.has(url.href)) {
        loop = true;
        break;
      }
      if (pages >= maxPages || names.size >= MAX_CATALOG_NAMES) {
        truncated = true;
        break;
      }
      visited.add(url.href);
      const page = await client.fetch({
        path: url,
        scopes: ['registry:catalog:*'],
        limit: LIST_LIMIT,
        what: `catalog page ${pages + 1}`,
      });
      const status = page.statusCode;
      if (status === 401 || status === 403) return { status: 'auth-required', detail: `HTTP ${status}` };
      if (status === 404 || status === 405) return { status: 'not-served', detail: `HTTP ${status}` };
      if (status !== 200) {
        const codes = distributionErrors(page.body);
        return { status: 'error', detail: `HTTP ${status}${codes ? ` (${codes})` : ''}` };
      }
      const repos = catalogNames(page.body, pages + 1);
      const before = names.size;
      for (const r of repos) {
        if (names.size >= MAX_CATALOG_NAMES) break;
        names.add(r);
        if (sample.length < 5 && REPOSITORY_NAME.test(r) && r.length <= 255 && !sample.includes(r)) sample.push(r);
      }
      pages++;
      const next = nextLink(page.headers.link, url);
      // Only pages on the registry itself; a page of nothing new would only repeat.
      url = next && next.origin === client.origin ? next : undefined;
      if (url && repos.length > 0 && names.size === before) {
        loop = true;
        break;
      }
    }
    return { status: 'readable', repositories: names.size, pages, truncated, loop, sample };
  } catch (err) {
    if (err instanceof LayerlensError && err.code === 'AUTH') return { status: 'auth-required', detail: err.message };
    return { status: 'error', detail: (err as Error).message };
  }
}

/** The names of one catalog page: {"repositories": [string, …]}, checked. */
function catalogNames(body: Buffer, page: number): string[] {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    throw new LayerlensError(`catalog page ${page} is not valid JSON`, 'BAD_SCHEMA');
  }
  const repos = (j as { repositories?: unknown } | null)?.repositories;
  if (repos === null || repos === undefined) return [];
  if (!Array.isArray(repos) || !repos.every((r) => typeof r === 'string'))
    throw new LayerlensError(`catalog page ${page}: "repositories" is not a list of names`, 'BAD_SCHEMA');
  return repos;
}

/** The tags of a tag list: {"tags": [string, …] | null}, checked. */
function tagNames(body: Buffer): string[] {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    throw new LayerlensError('the tag list is not valid JSON', 'BAD_SCHEMA');
  }
  const tags = (j as { tags?: unknown } | null)?.tags;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags)) throw new LayerlensError('the tag list\'s "tags" is not a list', 'BAD_SCHEMA');
  return tags.filter((t): t is string => typeof t === 'string' && TAG_NAME.test(t));
}

async function tryPull(client: RegistryClient, repository: string): Promise<AuditFacts['anonymousPull']> {
  try {
    const scopes = [`repository:${repository}:pull`];
    const list = await client.fetch({
      path: `/v2/${repository}/tags/list?n=10`,
      scopes,
      limit: LIST_LIMIT,
      what: `tags of ${repository}`,
    });
    if (list.statusCode === 401 || list.statusCode === 403)
      return { status: 'denied', repository, detail: `tags/list: HTTP ${list.statusCode}` };
    if (list.statusCode !== 200) return { status: 'error', repository, detail: `tags/list: HTTP ${list.statusCode}` };
    const tags = tagNames(list.body);
    const tag = tags.find((x) => !/^sha256-/.test(x)) ?? tags[0];
    if (!tag) return { status: 'not-tested', repository, detail: 'no tags' };
    const m = await client.fetch({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${encodeURIComponent(tag)}`,
      scopes,
      headers: { accept: MANIFEST_ACCEPT },
      limit: 0,
      what: `manifest of ${repository}:${tag}`,
    });
    if (m.statusCode === 200) return { status: 'allowed', repository, tag };
    if (m.statusCode === 401 || m.statusCode === 403)
      return { status: 'denied', repository, tag, detail: `manifest: HTTP ${m.statusCode}` };
    return { status: 'error', repository, tag, detail: `manifest: HTTP ${m.statusCode}` };
  } catch (err) {
    if (err instanceof LayerlensError && err.code === 'AUTH')
      return { status: 'denied', repository, detail: err.message };
    return { status: 'error', repository, detail: (err as Error).message };
  }
}

async function tryPushStart(client: RegistryClient, repository: string): Promise<AuditFacts['anonymousPush']> {
  try {
    const res = await client.fetch({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      scopes: [`repository:${repository}:pull,push`],
      headers: { 'content-length': '0' },
      body: '',
      limit: ERROR_BODY_LIMIT,
      what: 'upload probe',
    });
    const status = res.statusCode;
    if (status === 401 || status === 403) return { status: 'denied', repository, detail: `HTTP ${status}` };
    if (status !== 202) return { status: 'error', repository, detail: `HTTP ${status}` };
    // Cancel the upload session: nothing was written and nothing will be.
    let cancelled = false;
    const loc = res.headers.location;
    if (loc) {
      const del = await client.fetch({
        method: 'DELETE',
        path: new URL(loc, client.origin),
        scopes: [`repository:${repository}:pull,push`],
        limit: ERROR_BODY_LIMIT,
        what: 'upload cancel',
      });
      cancelled = del.statusCode === 204 || del.statusCode === 200 || del.statusCode === 202;
    }
    return { status: 'allowed', repository, cancelled };
  } catch (err) {
    if (err instanceof LayerlensError && err.code === 'AUTH')
      return { status: 'denied', repository, detail: err.message };
    return { status: 'error', repository, detail: (err as Error).message };
  }
}

async function probeDeletion(client: RegistryClient, repository: string): Promise<AuditFacts['deletion']> {
  // 256 random bits: this manifest does not exist, so nothing can be deleted.
  const digest = `sha256:${randomBytes(32).toString('hex')}`;
  try {
    const res = await client.fetch({
      method: 'DELETE',
      path: `/v2/${repository}/manifests/${digest}`,
      scopes: [`repository:${repository}:delete`],
      limit: ERROR_BODY_LIMIT,
      what: 'delete probe',
    });
    const status = res.statusCode;
    const codes = distributionErrors(res.body) ?? '';
    if (status === 405 || /UNSUPPORTED/.test(codes))
      return { status: 'disabled', repository, detail: `HTTP ${status} ${codes}`.trim() };
    if (status === 404 || status === 202)
      return { status: 'enabled', repository, detail: `HTTP ${status} ${codes}`.trim() };
    if (status === 401 || status === 403) return { status: 'needs-auth', repository, detail: `HTTP ${status}` };
    return { status: 'unknown', repository, detail: `HTTP ${status} ${codes}`.trim() };
  } catch (err) {
    if (err instanceof LayerlensError && err.code === 'AUTH')
      return { status: 'needs-auth', repository, detail: err.message };
    return { status: 'error', repository, detail: (err as Error).message };
  }
}
