/**
 * The Go structs the runtimes decode image metadata into (go-json.ts), as tables: the fields of
 * moby's image.Image and container.Config (what `docker run` reads; containerd's ocispec.Image
 * has the same names), of the OCI manifest, index and descriptor (containerd, the registries),
 * and of `docker save`'s manifest.json (what `docker load` reads).
 */
import type { GoStruct, GoType } from './go-json.js';

const scalar: GoType = { kind: 'scalar' };
const strings: GoType = { kind: 'slice' };
const strslice: GoType = { kind: 'strslice' };
const map: GoType = { kind: 'map' };

const fieldsOf = (names: string[], type: GoType): Record<string, GoType> =>
  Object.fromEntries(names.map((n) => [n, type]));

const HEALTHCHECK: GoStruct = {
  kind: 'struct',
  pointer: true,
  fields: {
    Test: strings,
    ...fieldsOf(['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'], scalar),
  },
};

/** moby's container.Config: Cmd, Entrypoint and Shell are StrSlices (a string is a list of one). */
function containerConfig(pointer: boolean): GoStruct {
  return {
    kind: 'struct',
    pointer,
    fields: {
      ...fieldsOf(
        [
          'Hostname',
          'Domainname',
          'User',
          'AttachStdin',
          'AttachStdout',
          'AttachStderr',
          'Tty',
          'OpenStdin',
          'StdinOnce',
          'ArgsEscaped',
          'Image',
          'WorkingDir',
          'NetworkDisabled',
          'MacAddress',
          'StopSignal',
          'StopTimeout',
        ],
        scalar,
      ),
      ExposedPorts: map,
      Volumes: map,
      Labels: map,
      Env: strings,
      OnBuild: strings,
      Cmd: strslice,
      Entrypoint: strslice,
      Shell: strslice,
      Healthcheck: HEALTHCHECK,
    },
  };
}

const HISTORY: GoStruct = {
  kind: 'struct',
  fields: fieldsOf(['created', 'author', 'created_by', 'comment', 'empty_layer'], scalar),
};

/** moby's image.Image (with its V1Image): an image config as `docker run` reads it. */
export const IMAGE_CONFIG: GoStruct = {
  kind: 'struct',
  fields: {
    ...fieldsOf(
      [
        'id',
        'parent',
        'comment',
        'created',
        'container',
        'docker_version',
        'author',
        'architecture',
        'variant',
        'os',
        'Size',
        'os.version',
      ],
      scalar,
    ),
    'os.features': strings,
    config: containerConfig(true),
    container_config: containerConfig(false),
    rootfs: { kind: 'struct', pointer: true, fields: { type: scalar, diff_ids: strings } },
    history: { kind: 'slice', elem: HISTORY },
  },
};

const PLATFORM: GoStruct = {
  kind: 'struct',
  pointer: true,
  fields: {
    ...fieldsOf(['architecture', 'os', 'os.version', 'variant'], scalar),
    'os.features': strings,
    features: strings,
  },
};

function descriptor(pointer: boolean): GoStruct {
  return {
    kind: 'struct',
    pointer,
    fields: {
      ...fieldsOf(['mediaType', 'digest', 'size', 'data', 'artifactType'], scalar),
      urls: strings,
      annotations: map,
      platform: PLATFORM,
    },
  };
}

/** An OCI (or Docker v2) image manifest or index: one table, their fields do not clash. */
export const MANIFEST: GoStruct = {
  kind: 'struct',
  fields: {
    ...fieldsOf(['schemaVersion', 'mediaType', 'artifactType'], scalar),
    config: descriptor(false),
    layers: { kind: 'slice', elem: descriptor(false) },
    manifests: { kind: 'slice', elem: descriptor(false) },
    subject: descriptor(true),
    annotations: map,
  },
};

/** `docker save`'s manifest.json: a list of images. */
export const DOCKER_SAVE_MANIFEST: GoType = {
  kind: 'slice',
  elem: {
    kind: 'struct',
    fields: { Config: scalar, Parent: scalar, RepoTags: strings, Layers: strings, LayerSources: map },
  },
};
