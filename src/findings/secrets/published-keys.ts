/**
 * Private keys that packages publish in their own files, known by the SHA-256 of their DER bytes
 * (the keys themselves are not kept here). Every user of the package holds the same key, so it is
 * no secret of the image wherever it turns up: in a minified bundle that names no module, or
 * copied into the app's tree (where, if it is used, anyone can impersonate the service). Reported
 * at medium with where it was published, not as the image's own critical key.
 *
 * Each entry was read from the package named, as its registry serves it; add one only so.
 */
import { createHash } from 'node:crypto';

const PUBLISHED: ReadonlyMap<string, string> = new Map([
  [
    'b73968ba56e2416630b209e9633986d9a50f0dbe67609910913252e2abd7f8ef',
    "the npm package ssh2's Ed25519 key, which it signs with to probe the runtime's crypto support",
  ],
  [
    '774096431dc865097bc585520bbc5944ab8a18a71e3dd3535947338c32eee92f',
    "Mojolicious's built-in development TLS key (Mojo/IOLoop/resources/server.key)",
  ],
  [
    '8c7e20aa29cd0dd775037b42c7604109ff166e9487dcf3944c949ee9d0f718d8',
    "python-ldap's test server key (slapdtest/certs/server.key)",
  ],
  [
    'c51ff3646388326db36a395bbaf0216f0ea0e86cc551f1f887a89ac9b37470d3',
    "python-ldap's test client key (slapdtest/certs/client.key)",
  ],
]);

/** Where the key whose PEM body (base64) this is was published, or null. */
export function publishedKey(body: string): string | null {
  const der = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  return PUBLISHED.get(createHash('sha256').update(der).digest('hex')) ?? null;
}
