/** Email, SMS and customer messaging: SendGrid, Brevo, Mailgun, Mailchimp, Twilio, MessageBird, Sendbird, Lob, Intercom. */
import { keyed, token, UUID } from './build.js';
import type { SecretRule } from './types.js';

const m = 'messaging' as const;

export const MESSAGING_RULES: SecretRule[] = [
  token(
    m,
    {
      id: 'secret-sendgrid-api-key',
      title: 'SendGrid API key',
      service: 'SendGrid',
      severity: 'high',
      keywords: ['sg.'],
      pattern: /\b(?<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    },
    // ("msg.foo" is not a key.)
    { follows: { kind: 'run', chars: 'A-Za-z0-9_-', min: 22 } },
  ),
  token(m, {
    id: 'secret-sendinblue-api-key',
    title: 'Brevo (Sendinblue) API key',
    service: 'Brevo',
    severity: 'high',
    keywords: ['ysib-', 'xsmtpsib-'],
    pattern: /\b(?<secret>x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16})\b/g,
  }),
  keyed(m, {
    id: 'secret-mailgun-api-key',
    title: 'Mailgun private API key',
    service: 'Mailgun',
    severity: 'high',
    names: ['mailgun'],
    keywords: ['ilgun'],
    value: 'key-[a-f0-9]{32}',
    prefixLength: 4,
  }),
  keyed(m, {
    id: 'secret-mailgun-public-key',
    title: 'Mailgun public validation key',
    service: 'Mailgun',
    severity: 'low',
    names: ['mailgun'],
    keywords: ['ilgun'],
    value: 'pubkey-[a-f0-9]{32}',
    prefixLength: 7,
  }),
  keyed(m, {
    id: 'secret-mailgun-signing-key',
    title: 'Mailgun webhook signing key',
    service: 'Mailgun',
    severity: 'high',
    names: ['mailgun'],
    keywords: ['ilgun'],
    value: '[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}',
  }),
  // The data centre suffix (-us1 … -us21) is part of the key, and with the 32 hex digits before
  // it the format is its own: found wherever it stands, named or not. The keywords carry the
  // suffix's first digit: a three-byte "-us" lets "us" and any byte after it through the
  // prefilter (every "use", "must"); "us1" … "us9" are rare.
  token(
    m,
    {
      id: 'secret-mailchimp-api-key',
      title: 'Mailchimp API key',
      service: 'Mailchimp',
      severity: 'high',
      keywords: ['-us1', '-us2', '-us3', '-us4', '-us5', '-us6', '-us7', '-us8', '-us9'],
      pattern: /(?<![A-Za-z0-9_-])(?<secret>[0-9a-f]{32}-us[1-9]\d?)(?![A-Za-z0-9_-])/g,
    },
    { entropy: 3.0, prefixLength: 0 },
  ),
  token(
    m,
    {
      id: 'secret-twilio-api-key',
      title: 'Twilio API key',
      service: 'Twilio',
      severity: 'high',
      keywords: ['twilio'],
      pattern: /\b(?<secret>SK[0-9a-f]{32})\b/g,
    },
    { scope: 'window', entropy: 3.0, prefixLength: 2 },
  ),
  keyed(m, {
    id: 'secret-twilio-auth-token',
    title: 'Twilio auth token',
    service: 'Twilio',
    severity: 'high',
    names: ['twilio'],
    value: '[a-f0-9]{32}',
  }),
  token(
    m,
    {
      id: 'secret-twilio-account-sid',
      title: 'Twilio account SID',
      service: 'Twilio',
      severity: 'low',
      keywords: ['twilio'],
      pattern: /\b(?<secret>AC[0-9a-f]{32})\b/g,
    },
    { scope: 'window', prefixLength: 2 },
  ),
  keyed(m, {
    id: 'secret-messagebird-api-token',
    title: 'MessageBird API token',
    service: 'MessageBird',
    severity: 'high',
    names: ['messagebird', 'message-bird', 'message_bird'],
    // (Not 'ebird': its 'ebi' is in every "Debian". On the realistic Debian image's text it sent
    // 1.3% of the 16-byte blocks off the prefilter's fast path.)
    keywords: ['bird'],
    value: '[a-z0-9]{25}',
  }),
  keyed(m, {
    id: 'secret-messagebird-client-id',
    title: 'MessageBird client ID',
    service: 'MessageBird',
    severity: 'low',
    names: ['messagebird', 'message-bird', 'message_bird'],
    keywords: ['bird'],
    value: UUID,
    identifier: true,
  }),
  keyed(m, {
    id: 'secret-sendbird-access-token',
    title: 'Sendbird access token',
    service: 'Sendbird',
    severity: 'high',
    names: ['sendbird'],
    keywords: ['dbird'],
    value: '[a-f0-9]{40}',
  }),
  keyed(m, {
    id: 'secret-sendbird-access-id',
    title: 'Sendbird application ID',
    service: 'Sendbird',
    severity: 'low',
    names: ['sendbird'],
    keywords: ['dbird'],
    value: UUID,
    identifier: true,
  }),
  keyed(m, {
    id: 'secret-lob-api-key',
    title: 'Lob API key',
    service: 'Lob',
    severity: 'high',
    names: ['lob_', 'lob-'],
    keywords: ['ob_', 'ob-'],
    value: '(?:live|test)_(?:pub_)?[a-f0-9]{31,35}',
    prefixLength: 5,
  }),
  keyed(m, {
    id: 'secret-intercom-token',
    title: 'Intercom access token',
    service: 'Intercom',
    severity: 'high',
    names: ['intercom'],
    keywords: ['ercom'],
    value: '[a-z0-9=_-]{60}',
  }),
];
