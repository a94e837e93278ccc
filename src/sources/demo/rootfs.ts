/**
 * File lists for the demo image's base layers: a small Debian-like userland with a few hundred
 * entries, so the tree is worth exploring. Content is generated (short text, or deterministic
 * bytes behind an ELF header for "binaries"), never copied from anywhere.
 */
import type { TarSpec } from '../../engine/build-tar.js';

const APPLETS = `ash awk basename cat chgrp chmod chown cp cut date dd df dirname dmesg du echo egrep env
expr false fgrep find free grep gunzip gzip head hostname id install kill less ln ls mkdir mknod
mktemp more mount mv nice nl nohup od paste pidof printf ps pwd readlink realpath rm rmdir sed seq
sh sleep sort split stat stty sync tac tail tar tee test top touch tr true tty umount uname uniq
unzip uptime vi wc wget which whoami xargs yes zcat`.split(/\s+/);

const DOCS = `adduser apt base-files base-passwd bash bsdutils ca-certificates coreutils dash debconf
debian-archive-keyring debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip
hostname init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit1 libblkid1 libbz2-1.0 libc-bin
libc6 libcap-ng0 libcom-err2 libcrypt1 libdb5.3 libdebconfclient0 libffi8 libgcc-s1 libgmp10
libgnutls30 libhogweed6 libidn2-0 liblz4-1 liblzma5 libmd0 libmount1 libnettle8 libp11-kit0 libpam0g
libpcre2-8-0 libseccomp2 libselinux1 libsemanage2 libsepol2 libsmartcols1 libss2 libssl3 libstdc++6
libsystemd0 libtasn1-6 libtinfo6 libudev1 libunistring2 libuuid1 libxxhash0 libzstd1 login
logsave mawk mount ncurses-base ncurses-bin passwd perl-base sed sysvinit-utils tar tzdata
usr-is-merged util-linux zlib1g`.split(/\s+/);

const ZONES = `Africa/Abidjan Africa/Cairo Africa/Lagos Africa/Nairobi America/Chicago America/Denver
America/Los_Angeles America/New_York America/Sao_Paulo America/Toronto Asia/Dubai Asia/Kolkata
Asia/Shanghai Asia/Singapore Asia/Tokyo Australia/Sydney Europe/Amsterdam Europe/Berlin
Europe/Dublin Europe/Lisbon Europe/London Europe/Madrid Europe/Paris Europe/Rome Europe/Stockholm
Europe/Warsaw Pacific/Auckland UTC`.split(/\s+/);

const LIBS = `libc.so.6:1900 libm.so.6:900 libssl.so.3:690 libcrypto.so.3:4400 libz.so.1:120
libzstd.so.1:800 liblzma.so.5:170 libstdc++.so.6:2300 libgcc_s.so.1:130 libpcre2-8.so.0:600
libsystemd.so.0:880 libudev.so.1:250 libgnutls.so.30:2000 libtinfo.so.6:190 libffi.so.8:50`.split(/\s+/);

/** Deterministic pseudo-random bytes behind an ELF magic, `kb` KiB long (compresses somewhat). */
export function fakeElf(kb: number, seed: number): Buffer {
  const buf = Buffer.alloc(kb * 1024);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(buf);
  let x = (Math.imul(seed, 2654435761 | 0) + 1) >>> 0;
  for (let i = 64; i < buf.length; i++) {
    // (Math.imul: a plain product of two 32-bit numbers overflows into slow, inexact doubles.)
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    // Mostly small values: real code is not uniformly random, and the demo layers stay small.
    buf[i] = (x >>> 16) % 7 === 0 ? (x >>> 8) & 0xff : (x >>> 24) & 0x0f;
  }
  return buf;
}

const dir = (name: string, mode = 0o755): TarSpec => ({ name, type: 'directory', mode });

export function baseLayer(): TarSpec[] {
  const out: TarSpec[] = [
    dir('bin/'),
    dir('etc/'),
    dir('etc/ssl/'),
    dir('etc/ssl/certs/'),
    dir('lib/'),
    dir('lib/x86_64-linux-gnu/'),
    dir('root/', 0o700),
    dir('tmp/', 0o1777),
    dir('usr/'),
    dir('usr/bin/'),
    dir('usr/local/'),
    dir('usr/local/bin/'),
    dir('usr/share/'),
    dir('usr/share/doc/'),
    dir('usr/share/zoneinfo/'),
    dir('var/'),
    dir('var/log/'),
    dir('var/cache/'),
    { name: 'bin/busybox', content: fakeElf(640, 1), mode: 0o755 },
  ];
  for (const a of APPLETS) out.push({ name: `bin/${a}`, type: 'symlink', linkname: '/bin/busybox' });
  out.push(
    {
      name: 'etc/passwd',
      content:
        'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\napp:x:1000:1000::/app:/bin/sh\n',
    },
    { name: 'etc/group', content: 'root:x:0:\ndaemon:x:1:\napp:x:1000:\n' },
    {
      name: 'etc/shadow',
      content: 'root:*:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\napp:!:19700::::::\n',
      mode: 0o640,
      gid: 42,
    },
    { name: 'etc/hostname', content: 'demo\n' },
    { name: 'etc/hosts', content: '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' },
    { name: 'etc/os-release', content: 'PRETTY_NAME="Demo Linux 12"\nNAME="Demo Linux"\nVERSION_ID="12"\nID=demo\n' },
    { name: 'etc/profile', content: 'export PATH=/usr/local/bin:/usr/bin:/bin\numask 022\n' },
  );
  for (const [i, z] of ZONES.entries()) {
    const parts = z.split('/');
    if (parts.length > 1 && !out.some((e) => e.name === `usr/share/zoneinfo/${parts[0]}/`))
      out.push(dir(`usr/share/zoneinfo/${parts[0]}/`));
    out.push({
      name: `usr/share/zoneinfo/${z}`,
      content: Buffer.concat([Buffer.from('TZif2'), fakeElf(2, 100 + i).subarray(8)]),
    });
  }
  for (const d of DOCS) {
    out.push(dir(`usr/share/doc/${d}/`));
    out.push({
      name: `usr/share/doc/${d}/copyright`,
      content: `Format: https://example.org/copyright-format/1.0/\nUpstream-Name: ${d}\n\nFiles: *\nCopyright: the ${d} authors\nLicense: GPL-2+\n`,
    });
    if (d.startsWith('lib') || d.length % 3 === 0)
      out.push({ name: `usr/share/doc/${d}/changelog.Debian.gz`, content: fakeElf(3, d.length) });
  }
  for (const [i, spec] of LIBS.entries()) {
    const [name, kb] = spec.split(':');
    const real = `${name}.${i % 4}.${i}`;
    out.push({ name: `lib/x86_64-linux-gnu/${real}`, content: fakeElf(Math.round(Number(kb) / 8), 10 + i) });
    out.push({ name: `lib/x86_64-linux-gnu/${name}`, type: 'symlink', linkname: real });
  }
  return out;
}

const PY = `__future__ abc argparse ast asyncio/__init__ asyncio/base_events asyncio/events base64 bisect
codecs collections/__init__ contextlib copy csv dataclasses datetime decimal difflib email/__init__
email/parser enum functools glob gzip hashlib heapq hmac http/__init__ http/client importlib/__init__
inspect io ipaddress json/__init__ json/decoder json/encoder logging/__init__ os pathlib pickle
platform posixpath random re/__init__ shlex shutil signal socket ssl stat string struct subprocess
tempfile textwrap threading time traceback typing urllib/__init__ urllib/parse uuid warnings weakref
zipfile`.split(/\s+/);

export function packagesLayer(): TarSpec[] {
  const out: TarSpec[] = [
    dir('usr/lib/'),
    dir('usr/lib/python3.11/'),
    dir('var/cache/apt/'),
    dir('var/cache/apt/archives/'),
    dir('etc/ssh/'),
    { name: 'usr/bin/ssh', content: fakeElf(110, 201) },
    { name: 'usr/bin/scp', content: fakeElf(40, 202) },
    { name: 'usr/bin/python3.11', content: fakeElf(700, 203) },
    { name: 'usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
    // setuid root helpers, as Debian ships them.
    { name: 'usr/bin/passwd', content: fakeElf(60, 204), mode: 0o4755 },
    { name: 'usr/bin/chsh', content: fakeElf(40, 205), mode: 0o4755 },
    { name: 'usr/bin/newgrp', content: fakeElf(36, 206), mode: 0o4755 },
    { name: 'usr/bin/chage', content: fakeElf(70, 207), mode: 0o2755, gid: 42 },
    { name: 'etc/ssh/ssh_config', content: 'Host *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n' },
    { name: 'etc/ssl/certs/ca-certificates.crt', content: fakeCertBundle(60) },
  ];
  const seenDirs = new Set<string>();
  for (const [i, m] of PY.entries()) {
    const slash = m.lastIndexOf('/');
    if (slash > 0) {
      const d = `usr/lib/python3.11/${m.slice(0, slash)}/`;
      if (!seenDirs.has(d)) {
        seenDirs.add(d);
        out.push(dir(d));
      }
    }
    out.push({
      name: `usr/lib/python3.11/${m}.py`,
      content:
        `"""${m.replace(/\/__init__$/, '')} (demo stub)."""\n\n__all__ = []\n\n` +
        `# line\n`.repeat(20 + ((i * 37) % 200)),
    });
  }
  for (const [i, p] of [
    'openssh-client_9.2p1-2_amd64',
    'python3.11-minimal_3.11.2-6_amd64',
    'libpython3.11-stdlib_3.11.2-6_amd64',
    'ca-certificates_20230311_all',
    'libssl3_3.0.11-1_amd64',
    'git_2.39.2-1_amd64',
  ].entries()) {
    out.push({ name: `var/cache/apt/archives/${p}.deb`, content: fakeElf(180 + i * 90, 300 + i) });
  }
  return out;
}

function fakeCertBundle(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += `# Demo CA ${i + 1} (not a real certificate)\n-----BEGIN CERTIFICATE-----\n`;
    const body = Buffer.from(fakeElf(1, 400 + i).subarray(8, 8 + 600)).toString('base64');
    for (let j = 0; j < body.length; j += 64) s += body.slice(j, j + 64) + '\n';
    s += '-----END CERTIFICATE-----\n';
  }
  return s;
}

const NPM = `express body-parser cookie debug depd destroy encodeurl escape-html etag finalhandler fresh
http-errors iconv-lite inherits merge-descriptors methods mime ms on-finished parseurl
path-to-regexp proxy-addr qs range-parser raw-body safe-buffer send serve-static setprototypeof
statuses type-is utils-merge vary mysql2 denque generate-function long lru-cache named-placeholders
seq-queue sqlstring jsonwebtoken jws jwa lodash.once semver dotenv pino`.split(/\s+/);

export function npmLayer(): TarSpec[] {
  const out: TarSpec[] = [dir('app/node_modules/')];
  for (const [i, p] of NPM.entries()) {
    out.push(dir(`app/node_modules/${p}/`));
    out.push({
      name: `app/node_modules/${p}/package.json`,
      content:
        JSON.stringify(
          { name: p, version: `${1 + (i % 4)}.${i % 10}.${(i * 7) % 13}`, main: 'index.js', license: 'MIT' },
          null,
          2,
        ) + '\n',
    });
    out.push({
      name: `app/node_modules/${p}/index.js`,
      content:
        `'use strict';\n// ${p}: demo stub\nmodule.exports = function ${p.replace(/[^a-z]/g, '_')}() {};\n` +
        '// …\n'.repeat((i * 13) % 90),
    });
    if (i % 3 === 0)
      out.push({ name: `app/node_modules/${p}/README.md`, content: `# ${p}\n\nDemo stub of the ${p} package.\n` });
    if (i % 5 === 0) {
      out.push(dir(`app/node_modules/${p}/lib/`));
      out.push({ name: `app/node_modules/${p}/lib/util.js`, content: `exports.noop = () => {};\n` });
    }
  }
  return out;
}

export function appSourceFiles(): TarSpec[] {
  const files = [
    'server.js',
    'routes/orders.js',
    'routes/users.js',
    'routes/health.js',
    'lib/db.js',
    'lib/auth.js',
    'lib/log.js',
    'scripts/migrate.js',
    'package.json',
    'package-lock.json',
    'README.md',
  ];
  const out: TarSpec[] = [dir('app/'), dir('app/routes/'), dir('app/lib/'), dir('app/scripts/')];
  for (const f of files) {
    let content = `// ${f}: demo application file\n'use strict';\n\n`;
    if (f === 'server.js')
      content += `const app = require('express')();\nconst port = process.env.PORT || 8080;\napp.use('/orders', require('./routes/orders'));\napp.listen(port, () => console.log('listening on', port));\n`;
    else if (f.endsWith('.json'))
      content =
        JSON.stringify({ name: 'shop-api', version: '1.4.0', private: true, main: 'server.js' }, null, 2) + '\n';
    else if (f.endsWith('.md')) content = '# shop-api\n\nThe demo application inside the layerlens demo image.\n';
    else content += `module.exports = {};\n`;
    out.push({ name: `app/${f}`, content, uid: 1000, gid: 1000 });
  }
  return out;
}
