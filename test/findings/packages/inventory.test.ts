/**
 * The package inventory over real tar layers read by the real engine and content inspector: every
 * ecosystem's files, the layer that introduced each package at its version, the layer that
 * removed it, lockfiles only where no node_modules exist, Debian's dist-packages marked as
 * OS-managed, jars nested in jars, and a Go binary's build info when Go is installed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageInventory, type Package } from '../../../src/findings/packages/index.js';
import { loadImage } from '../../support/findings-image.js';
import { goBinary, hasGo, pomProperties, zipOf } from '../../support/package-files.js';

const dpkg = (pkgs: Array<[string, string, string?]>) =>
  pkgs
    .map(
      ([name, version, source]) =>
        `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${source ? `Source: ${source}\n` : ''}Description: x\n continuation\n`,
    )
    .join('\n');

const json = (o: unknown) => JSON.stringify(o, null, 2);
const find = (pkgs: Package[], type: string, name: string) => pkgs.filter((p) => p.type === type && p.name === name);

test('inventory: OS and npm packages with introducing and removing layers', async () => {
  const model = await loadImage({
    layers: [
      {
        createdBy: 'ADD rootfs.tar /',
        entries: [
          { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          {
            name: 'var/lib/dpkg/status',
            content: dpkg([
              ['libc6', '2.36-9+deb12u4', 'glibc'],
              ['libssl3', '3.0.11-1~deb12u1', 'openssl'],
            ]),
          },
        ],
      },
      {
        createdBy: 'RUN apt-get install -y curl && apt-get upgrade',
        entries: [
          {
            name: 'var/lib/dpkg/status',
            content: dpkg([
              ['libc6', '2.36-9+deb12u4', 'glibc'],
              ['libssl3', '3.0.11-1~deb12u2', 'openssl'],
              ['curl', '7.88.1-10+deb12u5'],
            ]),
          },
        ],
      },
      {
        createdBy: 'RUN npm install',
        entries: [
          { name: 'app/node_modules/lodash/package.json', content: json({ name: 'lodash', version: '4.17.20' }) },
          {
            name: 'app/node_modules/@babel/core/package.json',
            content: json({ name: '@babel/core', version: '7.0.0' }),
          },
          { name: 'app/node_modules/minimist/package.json', content: json({ name: 'minimist', version: '1.2.5' }) },
          { name: 'app/node_modules/lodash/esm/package.json', content: json({ type: 'module' }) },
          // A lockfile beside node_modules: node_modules is what is installed.
          {
            name: 'app/package-lock.json',
            content: json({ lockfileVersion: 3, packages: { '': {}, 'node_modules/left-pad': { version: '1.1.0' } } }),
          },
        ],
      },
      {
        createdBy: 'RUN rm -rf /app/node_modules/minimist && npm install lodash@4.17.20',
        entries: [
          { name: 'app/node_modules/.wh.minimist', content: '' },
          { name: 'app/node_modules/lodash/package.json', content: json({ name: 'lodash', version: '4.17.20', x: 1 }) },
        ],
      },
    ],
  });
  const inv = packageInventory(model);
  assert.deepEqual(inv.os && [inv.os.id, inv.os.versionId], ['debian', '12']);
  const libc = find(inv.packages, 'deb', 'libc6')[0];
  assert.equal(libc.layer, 0, 'unchanged by the upgrade: still layer 0');
  assert.equal(libc.source, 'glibc');
  assert.equal(libc.purl, 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc');
  const ssl = find(inv.packages, 'deb', 'libssl3');
  assert.deepEqual(
    ssl.map((p) => [p.version, p.layer, p.removedIn]),
    [
      ['3.0.11-1~deb12u1', 0, 1],
      ['3.0.11-1~deb12u2', 1, null],
    ],
    'the upgrade introduced the new version in layer 1 and removed the old one',
  );
  assert.equal(find(inv.packages, 'deb', 'curl')[0].layer, 1);
  const lodash = find(inv.packages, 'npm', 'lodash');
  assert.equal(lodash.length, 1);
  assert.equal(lodash[0].layer, 2, 'rewritten at the same version in layer 3: introduced in 2');
  assert.deepEqual(lodash[0].paths, ['/app/node_modules/lodash/package.json']);
  assert.equal(lodash[0].purl, 'pkg:npm/lodash@4.17.20');
  assert.equal(find(inv.packages, 'npm', '@babel/core')[0].purl, 'pkg:npm/%40babel/core@7.0.0');
  const minimist = find(inv.packages, 'npm', 'minimist')[0];
  assert.deepEqual([minimist.layer, minimist.removedIn], [2, 3]);
  assert.equal(find(inv.packages, 'npm', 'left-pad').length, 0, 'lockfile shadowed by node_modules');
  assert.equal(inv.packages.filter((p) => p.type === 'npm').length, 3, 'esm/package.json is not a package');
});

test('inventory: lockfiles, Python metadata, Composer, NuGet, RubyGems', async () => {
  const model = await loadImage({
    layers: [
      {
        entries: [
          { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { name: 'var/lib/dpkg/status', content: dpkg([['python3-urllib3', '1.26.12-1', 'python-urllib3']]) },
          {
            name: 'usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO',
            content: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.12\n\nlong text\nName: not-this\n',
          },
          {
            name: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info',
            content: 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n',
          },
        ],
      },
      {
        createdBy: 'COPY . /srv',
        entries: [
          {
            name: 'usr/local/lib/python3.11/site-packages/Jinja2-2.11.2.dist-info/METADATA',
            content: 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.11.2\nSummary: x\n\nName: nope\n',
          },
          {
            name: 'srv/web/package-lock.json',
            content: json({
              lockfileVersion: 1,
              dependencies: {
                express: { version: '4.17.1', dependencies: { qs: { version: '6.7.0' } } },
                local: { version: 'file:../local' },
              },
            }),
          },
          {
            name: 'srv/ui/yarn.lock',
            content:
              '# yarn lockfile v1\n\n"@types/node@^14.0.0", "@types/node@^14.1.0":\n  version "14.18.63"\n  resolved "https://registry.example.org/x"\n\nansi-regex@^5.0.0:\n  version "5.0.0"\n',
          },
          {
            name: 'srv/berry/yarn.lock',
            content:
              '__metadata:\n  version: 6\n\n"follow-redirects@npm:^1.14.0":\n  version: 1.14.7\n  resolution: "follow-redirects@npm:1.14.7"\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n',
          },
          {
            name: 'srv/pnpm/pnpm-lock.yaml',
            content:
              "lockfileVersion: '6.0'\n\ndependencies:\n  axios:\n    specifier: ^0.21.0\n    version: 0.21.1\n\npackages:\n\n  /axios@0.21.1:\n    resolution: {integrity: sha512-x}\n\n  /@vue/shared@3.2.0(vue@3.2.0):\n    dev: false\n",
          },
          {
            name: 'srv/old-pnpm/pnpm-lock.yaml',
            content: 'lockfileVersion: 5.4\n\npackages:\n\n  /ws/7.4.5_bufferutil@4.0.0:\n    dev: false\n',
          },
          {
            name: 'srv/php/vendor/composer/installed.json',
            content: json({ packages: [{ name: 'Guzzlehttp/Psr7', version: 'v1.8.2' }] }),
          },
          {
            name: 'srv/dotnet/app.deps.json',
            content: json({
              libraries: {
                'Newtonsoft.Json/12.0.1': { type: 'package' },
                'app/1.0.0': { type: 'project' },
              },
            }),
          },
          {
            name: 'usr/local/bundle/specifications/rack-2.2.3.gemspec',
            content: '# stub\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.3"\nend\n',
          },
        ],
      },
    ],
  });
  const inv = packageInventory(model);
  const key = (p: Package) => `${p.type}:${p.name}@${p.version}`;
  const all = inv.packages.map(key);
  for (const want of [
    'pypi:urllib3@1.26.12',
    'pypi:six@1.16.0',
    'pypi:jinja2@2.11.2',
    'npm:express@4.17.1',
    'npm:qs@6.7.0',
    'npm:@types/node@14.18.63',
    'npm:ansi-regex@5.0.0',
    'npm:follow-redirects@1.14.7',
    'npm:axios@0.21.1',
    'npm:@vue/shared@3.2.0',
    'npm:ws@7.4.5',
    'composer:guzzlehttp/psr7@1.8.2',
    'nuget:Newtonsoft.Json@12.0.1',
    'gem:rack@2.2.3',
  ])
    assert.ok(all.includes(want), `${want} in ${all.join(', ')}`);
  assert.ok(!all.some((k) => /local|nope|not-this|app@/.test(k)), all.join(', '));
  const urllib3 = find(inv.packages, 'pypi', 'urllib3')[0];
  assert.equal(urllib3.osManaged, true, "Debian's dist-packages: matched through the OS package");
  assert.equal(find(inv.packages, 'pypi', 'jinja2')[0].osManaged, undefined, 'pip-installed under /usr/local');
  assert.equal(find(inv.packages, 'pypi', 'jinja2')[0].layer, 1);
  assert.equal(find(inv.packages, 'npm', 'express')[0].foundBy, 'lockfile');
  assert.equal(find(inv.packages, 'composer', 'guzzlehttp/psr7')[0].purl, 'pkg:composer/guzzlehttp/psr7@1.8.2');
  assert.equal(find(inv.packages, 'pypi', 'jinja2')[0].purl, 'pkg:pypi/jinja2@2.11.2');
});

test('inventory: Maven coordinates from pom.properties, nested jars and the MANIFEST fallback', async () => {
  const inner = zipOf({
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
    'META-INF/maven/org.yaml/snakeyaml/pom.properties': pomProperties('org.yaml', 'snakeyaml', '1.33'),
  });
  const noPom = zipOf({
    'META-INF/MANIFEST.MF':
      'Manifest-Version: 1.0\nImplementation-Vendor-Id: commons-io\nImplementation-Version: 2.6\nBundle-SymbolicName: org.apache.commons.io\n',
  });
  const app = zipOf({
    'META-INF/maven/com.example/app/pom.properties': pomProperties('com.example', 'app', '1.0.0'),
    'BOOT-INF/lib/snakeyaml-1.33.jar': inner,
    'BOOT-INF/lib/commons-io-2.6.jar': noPom,
  });
  const model = await loadImage({
    layers: [
      { entries: [{ name: 'opt/app/app.jar', content: app }] },
      { entries: [{ name: 'opt/app/broken.jar', content: 'PK not really' }] },
    ],
  });
  const inv = packageInventory(model);
  const maven = inv.packages.filter((p) => p.type === 'maven');
  assert.deepEqual(
    maven.map((p) => [p.name, p.version, p.paths[0]]),
    [
      ['com.example:app', '1.0.0', '/opt/app/app.jar'],
      ['commons-io:commons-io', '2.6', '/opt/app/app.jar!/BOOT-INF/lib/commons-io-2.6.jar'],
      ['org.yaml:snakeyaml', '1.33', '/opt/app/app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar'],
    ],
  );
  assert.equal(maven[2].purl, 'pkg:maven/org.yaml/snakeyaml@1.33');
  assert.equal(maven[2].foundBy, 'archive');
  assert.ok(
    inv.notes.some((n) => n.startsWith('/opt/app/broken.jar: ') && /not a zip/.test(n)),
    inv.notes.join('\n'),
  );
});

test('inventory: a Go binary built by the Go toolchain names its module and the standard library', {
  skip: !hasGo() && 'no Go toolchain (apt-get install golang-go)',
}, async () => {
  const { binary, goVersion } = goBinary();
  const model = await loadImage({
    layers: [
      { entries: [{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] },
      {
        createdBy: 'COPY hello /usr/local/bin/',
        entries: [{ name: 'usr/local/bin/hello', content: binary, mode: 0o755 }],
      },
    ],
  });
  const inv = packageInventory(model);
  const go = inv.packages.filter((p) => p.type === 'golang');
  const std = go.find((p) => p.name === 'stdlib');
  assert.ok(std, JSON.stringify(go));
  assert.equal(
    `go${std.version.replace(/\.0$/, '')}`.startsWith(goVersion.replace(/\.0$/, '')),
    true,
    `${std.version} from ${goVersion}`,
  );
  assert.equal(std.layer, 1);
  assert.equal(std.foundBy, 'binary');
  assert.deepEqual(std.paths, ['/usr/local/bin/hello']);
  assert.equal(std.purl, `pkg:golang/stdlib@${std.version}`);
});
