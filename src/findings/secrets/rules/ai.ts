/** AI and machine-learning services: OpenAI, Anthropic, Hugging Face, Cohere, Perplexity, Groq, Replicate, xAI. */
import { keyed, token } from './build.js';
import type { SecretRule } from './types.js';

const a = 'ai' as const;

export const AI_RULES: SecretRule[] = [
  token(
    a,
    {
      id: 'secret-openai-api-key',
      title: 'OpenAI API key',
      service: 'OpenAI',
      severity: 'high',
      keywords: ['t3blbkfj'],
      // (Not after a character of the key: from every `sk-` of a long run, a scan to its end.)
      pattern:
        /(?<![A-Za-z0-9_-])(?<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,})(?![A-Za-z0-9_-])/g,
    },
    { prefixLength: 3 },
  ),
  token(a, {
    id: 'secret-anthropic-api-key',
    title: 'Anthropic API key',
    service: 'Anthropic',
    severity: 'high',
    keywords: ['sk-ant-api03-'],
    pattern: /\b(?<secret>sk-ant-api03-[A-Za-z0-9_-]{80,100}AA)(?![A-Za-z0-9_-])/g,
  }),
  token(a, {
    id: 'secret-anthropic-admin-key',
    title: 'Anthropic Admin API key',
    service: 'Anthropic',
    severity: 'critical',
    keywords: ['sk-ant-admin01-'],
    pattern: /\b(?<secret>sk-ant-admin01-[A-Za-z0-9_-]{80,100}AA)(?![A-Za-z0-9_-])/g,
  }),
  token(
    a,
    {
      id: 'secret-huggingface-token',
      title: 'Hugging Face access token',
      service: 'Hugging Face',
      severity: 'high',
      keywords: ['hf_', 'i_org_'],
      pattern: /\b(?<secret>(?:hf_|api_org_)[A-Za-z]{34})\b/g,
    },
    { entropy: 3.8 },
  ),
  keyed(a, {
    id: 'secret-cohere-api-key',
    title: 'Cohere API key',
    service: 'Cohere',
    severity: 'high',
    names: ['cohere', 'co_api_key'],
    value: '[a-z0-9]{40}',
    entropy: 4.0,
  }),
  token(
    a,
    {
      id: 'secret-perplexity-api-key',
      title: 'Perplexity API key',
      service: 'Perplexity',
      severity: 'high',
      keywords: ['pplx-'],
      pattern: /\b(?<secret>pplx-[A-Za-z0-9]{48})\b/g,
    },
    { entropy: 4.0 },
  ),
  token(a, {
    id: 'secret-groq-api-key',
    title: 'Groq API key',
    service: 'Groq',
    severity: 'high',
    keywords: ['gsk_'],
    pattern: /\b(?<secret>gsk_[A-Za-z0-9]{52})\b/g,
  }),
  token(a, {
    id: 'secret-replicate-api-token',
    title: 'Replicate API token',
    service: 'Replicate',
    severity: 'high',
    keywords: ['r8_'],
    pattern: /\b(?<secret>r8_[A-Za-z0-9]{37})\b/g,
  }),
  token(a, {
    id: 'secret-xai-api-key',
    title: 'xAI API key',
    service: 'xAI',
    severity: 'high',
    keywords: ['xai-'],
    pattern: /\b(?<secret>xai-[A-Za-z0-9]{80})\b/g,
  }),
  keyed(a, {
    id: 'secret-privateai-api-key',
    title: 'Private AI API key',
    service: 'Private AI',
    severity: 'high',
    names: ['privateai', 'private_ai', 'private-ai'],
    keywords: ['teai', 'e_ai', 'e-ai'],
    value: '[a-z0-9]{32}',
  }),
];
