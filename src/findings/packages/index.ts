/**
 * The package inventory: every ecosystem's packages with purls and layers (see inventory.ts), and
 * the hooks the content inspector uses to keep package files while layers stream.
 */
export { packageFileKind } from './detect.js';
export { PackageFileCollector } from './collector.js';
export { packageInventory, livePackages, type PackageInventory } from './inventory.js';
export { purlOf, osNamespace } from './purl.js';
export type { FoundPackage, Package, PackageFileData, PackageFileKind, PackageType } from './types.js';
