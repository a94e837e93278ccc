/** Chat and collaboration: Slack, Discord, Microsoft Teams, Telegram, Mattermost, Gitter, Twitch. */
import { keyed, token } from './build.js';
import type { SecretRule } from './types.js';

const c = 'chat' as const;

export const CHAT_RULES: SecretRule[] = [
  token(
    c,
    {
      id: 'secret-slack-token',
      title: 'Slack bot, user or workspace token',
      service: 'Slack',
      severity: 'high',
      keywords: ['xoxb-', 'xoxp-', 'xoxe-', 'xoxa-', 'xoxr-', 'xoxo-', 'xoxs-'],
      // The structure of each kind: team and user/bot ids (digits), then the random part:
      // bot xoxb-T-B-24, legacy bot xoxb-T-18..26, user xoxp-T-U-A-32 hex (also written xoxe-
      // by rotating apps), legacy xoxo/xoxs, legacy workspace xoxa/xoxr.
      pattern:
        /\b(?<secret>xoxb-\d{8,14}-(?:\d{8,14}-)?[A-Za-z0-9]{18,34}|xox[pe](?:-\d{8,14}){3}-[A-Za-z0-9]{28,34}|xox[os]-\d+-\d+-\d+-[a-fA-F\d]{16,}|xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48})(?![A-Za-z0-9-])/g,
    },
    { prefixLength: 5 },
  ),
  token(c, {
    id: 'secret-slack-app-token',
    title: 'Slack app-level token',
    service: 'Slack',
    severity: 'high',
    keywords: ['xapp-'],
    pattern: /\b(?<secret>xapp-\d-[A-Z0-9]{8,12}-\d{10,14}-[a-f0-9]{32,64})\b/g,
  }),
  token(c, {
    id: 'secret-slack-config-token',
    title: 'Slack configuration access or refresh token',
    service: 'Slack',
    severity: 'high',
    keywords: ['xoxe.xoxb-', 'xoxe.xoxp-', 'xoxe-'],
    pattern: /\b(?<secret>xoxe\.xox[bp]-\d-[A-Z0-9]{163,166}|xoxe-\d-[A-Z0-9]{146})\b/gi,
  }),
  token(
    c,
    {
      id: 'secret-slack-webhook',
      title: 'Slack incoming webhook URL',
      service: 'Slack',
      severity: 'high',
      keywords: ['hooks.slack.com'],
      pattern:
        /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9]{8,12}\/[A-Za-z0-9]{8,12}\/[A-Za-z0-9]{20,}|[A-Za-z0-9+/_-]{43,56})/g,
    },
    { prefixLength: 0 },
  ),
  token(
    c,
    {
      id: 'secret-teams-webhook',
      title: 'Microsoft Teams incoming webhook URL',
      service: 'Microsoft Teams',
      severity: 'high',
      keywords: ['ebhook.office.com'],
      pattern:
        /https:\/\/[a-z0-9-]+\.webhook\.office\.com\/webhookb2\/(?<secret>[a-f0-9-]{36}@[a-f0-9-]{36}\/IncomingWebhook\/[a-f0-9]{32}\/[a-f0-9-]{36}(?:\/[A-Za-z0-9_-]+)?)/g,
    },
    { prefixLength: 0 },
  ),
  token(
    c,
    {
      id: 'secret-discord-webhook',
      title: 'Discord webhook URL',
      service: 'Discord',
      severity: 'high',
      keywords: ['iscord'],
      pattern: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/(?<secret>[\w-]{60,68})/g,
    },
    { prefixLength: 0 },
  ),
  token(
    c,
    {
      id: 'secret-discord-bot-token',
      title: 'Discord bot token',
      service: 'Discord',
      severity: 'high',
      keywords: ['iscord'],
      pattern: /(?<![\w.-])(?<secret>[MNO][A-Za-z\d_-]{23,27}\.[\w-]{6}\.[\w-]{27,40})(?![\w.-])/g,
    },
    { scope: 'window', entropy: 4.0, prefixLength: 0 },
  ),
  keyed(c, {
    id: 'secret-discord-api-token',
    title: 'Discord API token',
    service: 'Discord',
    severity: 'high',
    names: ['discord'],
    keywords: ['iscord'],
    value: '[a-f0-9]{64}',
  }),
  keyed(c, {
    id: 'secret-discord-client-id',
    title: 'Discord client ID',
    service: 'Discord',
    severity: 'low',
    names: ['discord'],
    keywords: ['iscord'],
    value: '[0-9]{18}',
    identifier: true,
  }),
  keyed(c, {
    id: 'secret-discord-client-secret',
    title: 'Discord client secret',
    service: 'Discord',
    severity: 'high',
    names: ['discord'],
    keywords: ['iscord'],
    value: '[a-z0-9=_-]{32}',
  }),
  token(
    c,
    {
      id: 'secret-telegram-bot-token',
      title: 'Telegram bot token',
      service: 'Telegram',
      severity: 'high',
      // The bot id's last digit and ':AA', not ':AA' alone (four bytes: SecretRule.keywords).
      keywords: Array.from('0123456789', (d) => `${d}:aa`),
      pattern: /(?<![\w:])(?<secret>\d{8,10}:AA[0-9A-Za-z_-]{33})(?![\w-])/g,
    },
    { follows: { kind: 'run', chars: '0-9A-Za-z_-', min: 33 }, prefixLength: 0 },
  ),
  keyed(c, {
    id: 'secret-mattermost-token',
    title: 'Mattermost access token',
    service: 'Mattermost',
    severity: 'high',
    names: ['mattermost'],
    keywords: ['rmost'],
    value: '[a-z0-9]{26}',
  }),
  keyed(c, {
    id: 'secret-gitter-token',
    title: 'Gitter access token',
    service: 'Gitter',
    severity: 'medium',
    names: ['gitter'],
    keywords: ['itter'],
    value: '[a-z0-9_-]{40}',
  }),
];
