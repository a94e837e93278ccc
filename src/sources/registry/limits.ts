/**
 * Every bound the registry client enforces, in one place. A registry is untrusted input: each
 * body it sends is read up to a size, each list up to a count, each request up to a time.
 * docs/limits.md lists them; `--timeout` changes the time-outs.
 */

/** An image manifest or index (containerd and Docker refuse more than 4 MiB too). */
export const MANIFEST_LIMIT = 4 << 20;
/** An image config (history, labels, env: real ones are a few KiB to a few hundred). */
export const CONFIG_LIMIT = 16 << 20;
/** A token service's JSON answer (tokens are a few KiB). */
export const TOKEN_LIMIT = 256 << 10;
/** One page of /v2/_catalog, a tag list, a referrers index. */
export const LIST_LIMIT = 4 << 20;
/** The body of an error answer, read for its Distribution error codes. */
export const ERROR_BODY_LIMIT = 64 << 10;

/** Layers in one image manifest, manifests in one index. */
export const MAX_LAYERS = 1000;
export const MAX_INDEX_ENTRIES = 1000;
/** Redirect hops of one request. */
export const MAX_REDIRECTS = 10;
/** Catalog pages followed by `registry audit`, and distinct names counted. */
export const MAX_CATALOG_PAGES = 100;
export const MAX_CATALOG_NAMES = 100_000;
/** A token longer than this is refused (it is sent back in every request header). */
export const MAX_TOKEN_LENGTH = 16 << 10;

/** --timeout's default: the deadline of one request, every retry and redirect counted in it. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Setting up one connection (TCP and TLS) never takes longer than this, whatever --timeout. */
export const MAX_CONNECT_MS = 10_000;
/** A body that delivers fewer bytes than this within the stall window is stalled. */
export const STALL_MIN_BYTES = 1024;
