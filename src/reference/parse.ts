/**
 * Image reference parsing, following the grammar and normalisation rules of
 * Docker's distribution/reference package (ParseNormalizedNamed, Familiar*,
 * TagNameOnly) and go-digest's digest validation:
 *
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [domain "/"] path
 *   domain      := host [":" port]          host: DNS-ish name, IPv4, or [IPv6]
 *   path        := component ("/" component)*
 *   component   := [a-z0-9]+ ( ([._] | "__" | "-"+) [a-z0-9]+ )*
 *   tag         := [\w][\w.-]{0,127}
 *   digest      := algorithm ":" hex      (sha256: 64, sha384: 96, sha512: 128 lowercase hex)
 *
 * Normalisation (what `docker pull X` does with X):
 *   - the first "/"-separated component is the registry when it is "localhost",
 *     contains "." or ":", or contains an uppercase letter; otherwise docker.io;
 *   - a single component (no "/") is always a docker.io name, so "localhost:5000"
 *     alone means docker.io/library/localhost with tag 5000 (as in Docker);
 *   - "index.docker.io" is canonicalised to "docker.io";
 *   - single-component docker.io paths get the "library/" prefix;
 *   - "latest" is implied when neither tag nor digest is given.
 *
 * Deliberate differences from Docker (documented, tested):
 *   - A first component that Docker treats as a domain but that is not a valid
 *     host (e.g. "foo_bar.example/x") makes Docker fall back to a domain-less
 *     name that no registry can serve; we reject it with a clear message.
 *   - Input longer than MAX_INPUT_LENGTH is rejected before any regex runs.
 * The path length limit (255) applies to the path without the domain, as in
 * current distribution/reference (older releases counted the domain too).
 */
import { quoted } from '../text/safe-text.js';
import { LayerlensError } from '../errors/index.js';

export interface ImageReference {
  /** registry host as written (after normalisation): 'docker.io', 'localhost:5000', 'ghcr.io' */
  registry: string;
  /** repository path: 'library/nginx', 'ns/name' */
  repository: string;
  /** tag; 'latest' is added when neither tag nor digest was given */
  tag?: string;
  /** digest 'algo:hex', e.g. 'sha256:<64 hex>' */
  digest?: string;
  /** canonical full form: docker.io/library/nginx:latest, host:5000/ns/name:tag@sha256:... */
  canonical: string;
  /** familiar short form as docker prints it: nginx:latest, user/app:1, localhost:5000/x:y */
  familiar: string;
  /** registry API host (docker.io -> registry-1.docker.io) */
  apiHost: string;
  /** true when no tag and no digest was written (so 'latest' was implied) */
  tagImplied: boolean;
}

/** A user-facing, one-line error: `invalid reference "X": <reason>`. */
export class InvalidReferenceError extends LayerlensError {
  readonly input: string;
  readonly reason: string;
  constructor(input: string, reason: string) {
    super(`invalid reference ${quoted(input)}: ${reason}`, 'BAD_REFERENCE');
    this.name = 'InvalidReferenceError';
    this.input = input;
    this.reason = reason;
  }
}

export const DEFAULT_REGISTRY = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
/** distribution/reference RepositoryNameTotalLengthMax */
export const MAX_PATH_LENGTH = 255;
/** Defensive cap; real references are far shorter (path 255 + tag 128 + digest ~140 + host). */
export const MAX_INPUT_LENGTH = 2048;

// --- grammar pieces (same productions as distribution/reference regexp.go) ---
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN_AND_PORT}$`);
const REMOTE_NAME_RE = new RegExp(`^${REMOTE_NAME}$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const DIGEST_RE = new RegExp(`^${DIGEST}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms Docker accepts (go-digest registered algorithms). */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Parse a reference the way `docker pull` does and return its normalised parts.
 * Throws InvalidReferenceError with a one-line message on invalid input.
 */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input === '') {
    throw new InvalidReferenceError(String(input ?? ''), 'repository name must have at least one component');
  }
  if (input.length > MAX_INPUT_LENGTH) {
    throw new InvalidReferenceError(input, `reference must not be longer than ${MAX_INPUT_LENGTH} characters`);
  }
  if (IDENTIFIER_RE.test(input)) {
    throw new InvalidReferenceError(
      input,
      'cannot specify 64-byte hexadecimal strings (that is an image ID, not a name)',
    );
  }

  const [domain, remainder] = splitDockerDomain(input);

  // Docker checks the remote part (up to the first ':') for uppercase before parsing.
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(input, 'repository name must be lowercase');
  }

  const full = `${domain}/${remainder}`;
  const m = REFERENCE_RE.exec(full);
  if (!m) {
    const lower = full.toLowerCase();
    if (lower !== full && REFERENCE_RE.test(lower)) {
      throw new InvalidReferenceError(input, 'repository name must be lowercase');
    }
    throw new InvalidReferenceError(input, diagnose(domain, remainder));
  }
  const [, name, tag, digest] = m;
  const nm = ANCHORED_NAME_RE.exec(name!);
  const registry = nm?.[1] ?? '';
  const repository = nm?.[2] ?? name!;
  if (registry === '') {
    // Docker would accept this as a domain-less name; nothing can pull it.
    throw new InvalidReferenceError(input, `registry host ${quoted(domain)} is not a valid host name`);
  }
  if (repository.length > MAX_PATH_LENGTH) {
    throw new InvalidReferenceError(input, `repository name must not be more than ${MAX_PATH_LENGTH} characters`);
  }
  if (digest !== undefined) {
    const problem = validateDigest(digest);
    if (problem) throw new InvalidReferenceError(input, problem);
  }

  const tagImplied = tag === undefined && digest === undefined;
  const effectiveTag = tagImplied ? DEFAULT_TAG : tag;
  const suffix = (effectiveTag !== undefined ? `:${effectiveTag}` : '') + (digest !== undefined ? `@${digest}` : '');
  const canonical = `${registry}/${repository}${suffix}`;
  const familiar = `${familiarName(registry, repository)}${suffix}`;

  const ref: ImageReference = {
    registry,
    repository,
    canonical,
    familiar,
    apiHost: registry === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry,
    tagImplied,
  };
  if (effectiveTag !== undefined) ref.tag = effectiveTag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** True when parseReference(input) would succeed. Never throws. */
export function looksLikeReference(input: string): boolean {
  try {
    parseReference(input);
    return true;
  } catch {
    return false;
  }
}

/** Familiar (Docker UI) name: docker.io and library/ dropped. */
export function familiarName(registry: string, repository: string): string {
  if (registry !== DEFAULT_REGISTRY) return `${registry}/${repository}`;
  if (repository.startsWith(OFFICIAL_PREFIX)) {
    const rest = repository.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return repository;
}

/** distribution/reference splitDockerDomain: [domain, remainder-with-tag/digest]. */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) {
    // A single element is always a Docker Hub official name ("localhost:5000" = library/localhost:5000).
    return [DEFAULT_REGISTRY, OFFICIAL_PREFIX + name];
  }
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (first === 'localhost') {
    [domain, remote] = [first, rest];
  } else if (first === LEGACY_DEFAULT_REGISTRY) {
    [domain, remote] = [DEFAULT_REGISTRY, rest];
  } else if (first.includes('.') || first.includes(':')) {
    [domain, remote] = [first, rest];
  } else if (first.toLowerCase() !== first) {
    // uppercase is not allowed in paths, so Docker treats it as a host name
    [domain, remote] = [first, rest];
  } else {
    [domain, remote] = [DEFAULT_REGISTRY, name];
  }
  if (domain === DEFAULT_REGISTRY && !remote.includes('/')) {
    remote = OFFICIAL_PREFIX + remote;
  }
  return [domain, remote];
}

/** go-digest Digest.Validate for the algorithms Docker registers. Returns a reason or undefined. */
function validateDigest(digest: string): string | undefined {
  const i = digest.indexOf(':');
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const want = DIGEST_HEX_LENGTH[algorithm];
  if (want === undefined) return `unsupported digest algorithm ${quoted(algorithm)}`;
  if (encoded.length !== want) {
    return `invalid checksum digest length: ${algorithm} needs ${want} hex characters, got ${encoded.length}`;
  }
  if (!/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format: hex must be lowercase';
  return undefined;
}

/** Explain why REFERENCE_RE failed, naming the part at fault (Docker only says "invalid reference format"). */
function diagnose(domain: string, remainder: string): string {
  const generic = 'invalid reference format';
  let rest = remainder;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (digest !== undefined && !DIGEST_RE.test(digest)) {
    return `${generic}: digest must look like sha256:<64 hex characters>`;
  }
  if (tag !== undefined && !TAG_RE.test(tag)) {
    if (tag === '') return `${generic}: empty tag`;
    if (tag.length > 128) return `${generic}: tag must not be longer than 128 characters`;
    return `${generic}: tag ${quoted(tag)} must match [A-Za-z0-9_][A-Za-z0-9_.-]*`;
  }
  if (!DOMAIN_RE.test(domain)) return `${generic}: invalid registry host ${quoted(domain)}`;
  if (rest === '' || rest.endsWith('/') || rest.includes('//')) {
    return `${generic}: repository name has an empty component`;
  }
  if (!REMOTE_NAME_RE.test(rest)) {
    return `${generic}: repository path components may only contain a-z, 0-9 and single separators (. _ __ -)`;
  }
  return generic;
}

/** An image ID, full (`sha256:` and 64 hex digits) or short (12 to 64): a daemon's own name for an image. */
export function isImageId(input: string): boolean {
  return /^(sha256:[0-9a-f]{64}|[0-9a-f]{12,64})$/.test(input);
}
