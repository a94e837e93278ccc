/**
 * SaaS, productivity and social APIs: Linear, Notion, Airtable, Asana, HubSpot, Typeform,
 * Contentful, Dropbox, Postman, Twitter, Facebook, LinkedIn, Mapbox and the rest of the long tail.
 */
import { downgrade } from '../precision.js';
import { END, keyed, token, UUID } from './build.js';
import type { SecretRule } from './types.js';

const s = 'saas' as const;

/** Service credentials known only by the service's name in the key: [id, title, service, names, value, severity]. */
const KEYED: Array<[string, string, string, string[], string, 'high' | 'medium' | 'low']> = [
  ['secret-adafruit-api-key', 'Adafruit IO key', 'Adafruit', ['adafruit'], '[a-z0-9_-]{32}', 'medium'],
  ['secret-adobe-client-id', 'Adobe OAuth client ID', 'Adobe', ['adobe'], '[a-f0-9]{32}', 'low'],
  ['secret-airtable-api-key', 'Airtable API key (legacy)', 'Airtable', ['airtable'], '[a-z0-9]{17}', 'high'],
  ['secret-algolia-api-key', 'Algolia API key', 'Algolia', ['algolia'], '[a-z0-9]{32}', 'high'],
  ['secret-asana-client-id', 'Asana client ID', 'Asana', ['asana'], '[0-9]{16}', 'low'],
  ['secret-asana-client-secret', 'Asana client secret', 'Asana', ['asana'], '[a-z0-9]{32}', 'high'],
  ['secret-confluent-access-token', 'Confluent access token', 'Confluent', ['confluent'], '[a-z0-9]{16}', 'medium'],
  ['secret-confluent-secret-key', 'Confluent secret key', 'Confluent', ['confluent'], '[a-z0-9]{64}', 'high'],
  [
    'secret-contentful-token',
    'Contentful delivery API token',
    'Contentful',
    ['contentful'],
    '[a-z0-9=_-]{43}',
    'medium',
  ],
  ['secret-dropbox-api-secret', 'Dropbox API secret', 'Dropbox', ['dropbox'], '[a-z0-9]{15}', 'high'],
  [
    'secret-dropbox-token',
    'Dropbox access token (long or short-lived)',
    'Dropbox',
    ['dropbox'],
    '[a-z0-9]{11}AAAAAAAAAA[a-z0-9_=-]{43}|sl\\.[a-z0-9=_-]{135}',
    'high',
  ],
  ['secret-etsy-token', 'Etsy access token', 'Etsy', ['etsy'], '[a-z0-9]{24}', 'medium'],
  ['secret-facebook-secret', 'Facebook app secret', 'Facebook', ['facebook'], '[a-f0-9]{32}', 'high'],
  ['secret-flickr-token', 'Flickr access token', 'Flickr', ['flickr'], '[a-z0-9]{32}', 'medium'],
  ['secret-freshbooks-token', 'FreshBooks access token', 'FreshBooks', ['freshbooks'], '[a-z0-9]{64}', 'high'],
  ['secret-hubspot-api-key', 'HubSpot API key', 'HubSpot', ['hubspot'], `${UUID}|pat-(?:na|eu)1-${UUID}`, 'high'],
  ['secret-linear-client-secret', 'Linear client secret', 'Linear', ['linear_', 'linear-'], '[a-f0-9]{32}', 'high'],
  [
    'secret-linkedin-client-id',
    'LinkedIn client ID',
    'LinkedIn',
    ['linkedin', 'linked_in', 'linked-in'],
    '[a-z0-9]{14}',
    'low',
  ],
  [
    'secret-linkedin-client-secret',
    'LinkedIn client secret',
    'LinkedIn',
    ['linkedin', 'linked_in', 'linked-in'],
    '[a-z0-9]{16}',
    'high',
  ],
  [
    'secret-nytimes-token',
    'New York Times API key',
    'New York Times',
    ['nytimes', 'newyorktimes'],
    '[a-z0-9=_-]{32}',
    'medium',
  ],
  ['secret-okta-token', 'Okta API token', 'Okta', ['okta'], '00[a-z0-9=_-]{40}', 'high'],
  ['secret-rapidapi-token', 'RapidAPI key', 'RapidAPI', ['rapidapi'], '[a-z0-9_-]{50}', 'high'],
  ['secret-squarespace-token', 'Squarespace API key', 'Squarespace', ['squarespace'], UUID, 'high'],
  ['secret-twitter-api-key', 'Twitter / X API key', 'Twitter', ['twitter'], '[a-z0-9]{25}', 'medium'],
  ['secret-twitter-api-secret', 'Twitter / X API secret', 'Twitter', ['twitter'], '[a-z0-9]{50}', 'high'],
  [
    'secret-twitter-access-token',
    'Twitter / X access token',
    'Twitter',
    ['twitter'],
    '[0-9]{15,25}-[a-z0-9]{20,40}',
    'high',
  ],
  ['secret-twitter-access-secret', 'Twitter / X access token secret', 'Twitter', ['twitter'], '[a-z0-9]{45}', 'high'],
  ['secret-twitter-bearer-token', 'Twitter / X bearer token', 'Twitter', ['twitter'], 'A{22}[a-z0-9%]{80,100}', 'high'],
];

// The prefilter's keyword for a name, where the name's own three-byte pieces are common in text
// ("con" in confluent, "ook" in facebook): a rarer part of it (keyed() in build.ts).
const RARER: Record<string, string> = {
  adafruit: 'afruit',
  airtable: 'irtable',
  algolia: 'lgolia',
  confluent: 'nfluen',
  contentful: 'ntful',
  dropbox: 'opbox',
  facebook: 'cebook',
  flickr: 'ckr',
  freshbooks: 'shbooks',
  linear_: 'near_',
  'linear-': 'near-',
  linkedin: 'nkedin',
  linked_in: 'nked_in',
  'linked-in': 'nked-in', // (not 'ed-in': "based-in", "-ed-" lines; its 'nke' 'ked' are nkedin's own)
  newyorktimes: 'ewyorktimes',
  rapidapi: 'idapi',
  squarespace: 'quarespace',
  twitter: 'itter',
};

export const SAAS_RULES: SecretRule[] = [
  ...KEYED.map(([id, title, service, names, value, severity]) =>
    keyed(s, {
      id,
      title,
      service,
      names,
      keywords: [...new Set(names.map((n) => RARER[n] ?? n))],
      value,
      severity,
      identifier: severity === 'low',
    }),
  ),
  token(
    s,
    {
      id: 'secret-linear-api-key',
      title: 'Linear API key',
      service: 'Linear',
      severity: 'high',
      // (The end of the prefix: "lin" starts every "line".)
      keywords: ['n_api_'],
      pattern: /\b(?<secret>lin_api_[A-Za-z0-9]{40})\b/g,
    },
    { follows: { kind: 'run', chars: 'A-Za-z0-9', min: 40 }, prefixLength: 8 },
  ),
  token(
    s,
    {
      id: 'secret-notion-token',
      title: 'Notion integration token',
      service: 'Notion',
      severity: 'high',
      keywords: ['ntn_', 'secret_'],
      pattern: /\b(?<secret>ntn_\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b/g,
    },
    // (The old "secret_" form is 43 base62 characters: `secret_key = …` is not one.)
    { entropy: 4.0, follows: { kind: 'run', chars: 'A-Za-z0-9', min: 11 } },
  ),
  token(
    s,
    {
      id: 'secret-airtable-pat',
      title: 'Airtable personal access token',
      service: 'Airtable',
      severity: 'high',
      // ("pat" alone would send every "path" and "pattern" through the prefilter's slow path.)
      keywords: ['irtable'],
      pattern: /\b(?<secret>pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b/g,
    },
    { scope: 'window', prefixLength: 3 },
  ),
  token(s, {
    id: 'secret-typeform-token',
    title: 'Typeform personal access token',
    service: 'Typeform',
    severity: 'high',
    keywords: ['tfp_'],
    pattern: new RegExp(String.raw`\b(?<secret>tfp_[a-z0-9._=-]{59})${END}`, 'gi'),
  }),
  token(s, {
    id: 'secret-postman-api-key',
    title: 'Postman API key',
    service: 'Postman',
    severity: 'high',
    keywords: ['pmak-'],
    pattern: /\b(?<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b/gi,
  }),
  token(s, {
    id: 'secret-readme-api-key',
    title: 'ReadMe API key',
    service: 'ReadMe',
    severity: 'high',
    keywords: ['rdme_'],
    pattern: /\b(?<secret>rdme_[a-z0-9]{70})\b/g,
  }),
  token(s, {
    id: 'secret-frameio-token',
    title: 'Frame.io API token',
    service: 'Frame.io',
    severity: 'high',
    keywords: ['fio-u-'],
    pattern: /\b(?<secret>fio-u-[a-z0-9=_-]{64})(?![a-z0-9=_-])/gi,
  }),
  token(s, {
    id: 'secret-adobe-client-secret',
    title: 'Adobe OAuth client secret',
    service: 'Adobe',
    severity: 'high',
    keywords: ['p8e-'],
    pattern: /\b(?<secret>p8e-[a-zA-Z0-9]{32})\b/g,
  }),
  token(s, {
    id: 'secret-intra42-client-secret',
    title: '42 Intra client secret',
    service: '42',
    severity: 'medium',
    keywords: ['4t2ud-', '4t2af-'],
    pattern: /\b(?<secret>s-s4t2(?:ud|af)-[a-f0-9]{64})\b/gi,
  }),
  token(
    s,
    {
      id: 'secret-maxmind-license-key',
      title: 'MaxMind license key',
      service: 'MaxMind',
      severity: 'medium',
      keywords: ['_mmk'],
      pattern: /\b(?<secret>[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)\b/g,
    },
    { entropy: 4.0, prefixLength: 0 },
  ),
  token(
    s,
    {
      id: 'secret-facebook-access-token',
      title: 'Facebook access token',
      service: 'Facebook',
      severity: 'high',
      keywords: ['eaam', 'eaac'],
      pattern: /\b(?<secret>EAA[MC][A-Za-z0-9]{100,})\b/g,
    },
    { entropy: 4.0, follows: { kind: 'run', chars: 'A-Za-z0-9', min: 100 } },
  ),
  keyed(s, {
    id: 'secret-facebook-app-token',
    title: 'Facebook app access token (id|secret)',
    service: 'Facebook',
    severity: 'high',
    names: ['facebook', 'fb_token', 'fb_access'],
    keywords: ['cebook', 'fb_token', 'fb_access'],
    value: '\\d{15,16}(?:\\||%7C)[0-9a-z_-]{27,40}',
  }),
  keyed(
    s,
    {
      id: 'secret-mapbox-token',
      title: 'Mapbox access token',
      service: 'Mapbox',
      severity: 'high',
      names: ['mapbox'],
      keywords: ['pbox'],
      value: '[ps]k\\.[a-z0-9]{60}\\.[a-z0-9]{22}',
    },
    // A public (pk.) token ships to browsers by design; a secret (sk.) one does not.
    { check: (v) => (v.startsWith('pk.') ? downgrade('public-by-design', 'low', 'public token') : undefined) },
  ),
  keyed(s, {
    id: 'secret-sidekiq-secret',
    title: 'Sidekiq Enterprise/Pro credentials',
    service: 'Sidekiq',
    severity: 'high',
    names: ['bundle_enterprise__contribsys__com', 'bundle_gems__contribsys__com'],
    keywords: ['ibsys__com'],
    value: '[a-f0-9]{8}:[a-f0-9]{8}',
  }),
  token(
    s,
    {
      id: 'secret-sidekiq-url',
      title: 'Sidekiq Enterprise/Pro source URL with credentials',
      service: 'Sidekiq',
      severity: 'high',
      keywords: ['ibsys.com'],
      pattern: /\bhttps?:\/\/(?<secret>[a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com/gi,
    },
    { prefixLength: 0, scope: 'line' },
  ),
  token(
    s,
    {
      id: 'secret-freemius-secret-key',
      title: 'Freemius secret key',
      service: 'Freemius',
      severity: 'high',
      keywords: ['secret_key'],
      pattern: /["']secret_key["']\s*=>\s*["'](?<secret>sk_[^\s"']{29})["']/gi,
    },
    { prefixLength: 3 },
  ),
];
