export {
  parseReference,
  looksLikeReference,
  isImageId,
  familiarName,
  InvalidReferenceError,
  DEFAULT_REGISTRY,
  DOCKER_HUB_API_HOST,
  MAX_PATH_LENGTH,
  MAX_INPUT_LENGTH,
} from './parse.js';
export type { ImageReference } from './parse.js';
