/**
 * The `port` check: every EXPOSEd port with its usual service and a risk from the table below.
 * EXPOSE publishes nothing by itself, but `docker run -P/--publish-all` publishes every exposed
 * port on all host interfaces, and orchestrators and readers treat EXPOSE as the intended surface.
 * This table is the only one: the explorer's Ports panel lists these findings.
 */
import type { FileTree } from '../engine/tree.js';
import type { ImageMeta } from '../engine/types.js';
import { formatCount } from '../text/bytes.js';
import { nodeIndex } from './content.js';
import { makeFinding } from './make.js';
import type { Finding, Severity } from './types.js';

export type PortKind =
  | 'remote-access'
  | 'container-api'
  | 'database'
  | 'cache'
  | 'broker'
  | 'admin'
  | 'web'
  | 'mail'
  | 'directory'
  | 'file-transfer'
  | 'other';

export interface PortInfo {
  port: number;
  /** Protocol the service normally uses (udp for a few). */
  protocol?: 'tcp' | 'udp';
  service: string;
  kind: PortKind;
  risk: Severity;
  why: string;
  /** Admin panels that, when present in the image, raise the port to high. */
  panels?: string[];
}

const p = (
  port: number,
  service: string,
  kind: PortKind,
  risk: Severity,
  why: string,
  extra: Partial<PortInfo> = {},
): PortInfo => ({
  port,
  service,
  kind,
  risk,
  why,
  ...extra,
});

const SHELL = 'interactive remote access to the container';
const API = 'control of the container platform: full compromise of the host or cluster if reachable';
const DB =
  'a database should not be reachable from outside its network; default or leaked credentials give the data away';
const CACHE = 'caches often run without authentication';
const BROKER = 'message brokers often keep default guest credentials';
const ADMIN = 'admin and debug panels are a common way in';

export const PORT_TABLE: readonly PortInfo[] = [
  p(21, 'FTP', 'file-transfer', 'medium', 'cleartext credentials and data'),
  p(22, 'SSH', 'remote-access', 'high', SHELL + '; containers should be entered with docker exec / kubectl exec'),
  p(23, 'Telnet', 'remote-access', 'critical', SHELL + ' in cleartext'),
  p(25, 'SMTP', 'mail', 'low', 'an open relay is abused for spam'),
  p(53, 'DNS', 'other', 'low', 'open resolvers are abused for amplification', { protocol: 'udp' }),
  p(69, 'TFTP', 'file-transfer', 'medium', 'no authentication at all', { protocol: 'udp' }),
  p(80, 'HTTP', 'web', 'info', 'plain web traffic'),
  p(110, 'POP3', 'mail', 'low', 'cleartext mail credentials'),
  p(111, 'rpcbind', 'other', 'medium', 'exposes RPC services (NFS)'),
  p(135, 'MS RPC', 'remote-access', 'high', 'Windows RPC endpoint mapper'),
  p(139, 'NetBIOS/SMB', 'file-transfer', 'high', 'file sharing; a frequent attack target'),
  p(143, 'IMAP', 'mail', 'low', 'cleartext mail credentials'),
  p(161, 'SNMP', 'admin', 'medium', 'community strings are often default', { protocol: 'udp' }),
  p(389, 'LDAP', 'directory', 'medium', 'directory data and credentials'),
  p(443, 'HTTPS', 'web', 'info', 'web traffic over TLS'),
  p(445, 'SMB', 'file-transfer', 'high', 'file sharing; a frequent attack target'),
  p(873, 'rsync', 'file-transfer', 'medium', 'rsync modules are often unauthenticated'),
  p(1433, 'Microsoft SQL Server', 'database', 'medium', DB),
  p(1521, 'Oracle Database', 'database', 'medium', DB),
  p(2049, 'NFS', 'file-transfer', 'medium', 'network file system exports'),
  p(2375, 'Docker Engine API (plain)', 'container-api', 'critical', API + '; unauthenticated and unencrypted'),
  p(2376, 'Docker Engine API (TLS)', 'container-api', 'high', API),
  p(2379, 'etcd client', 'container-api', 'critical', 'the cluster state store, including Kubernetes secrets'),
  p(2380, 'etcd peer', 'container-api', 'high', 'etcd cluster peering'),
  p(3000, 'Grafana / dev server', 'admin', 'low', ADMIN),
  p(3306, 'MySQL / MariaDB', 'database', 'medium', DB),
  p(3389, 'RDP', 'remote-access', 'high', 'remote desktop'),
  p(4243, 'Docker Engine API (legacy)', 'container-api', 'critical', API),
  p(4369, 'Erlang port mapper', 'other', 'medium', 'Erlang distribution: remote code execution with the cookie'),
  p(5000, 'Docker registry / dev server', 'other', 'low', 'registries without auth serve and accept images'),
  p(5432, 'PostgreSQL', 'database', 'medium', DB),
  p(5601, 'Kibana', 'admin', 'medium', ADMIN),
  p(5672, 'AMQP (RabbitMQ)', 'broker', 'medium', BROKER),
  p(5900, 'VNC', 'remote-access', 'high', 'remote desktop, often with weak or no password'),
  p(5984, 'CouchDB', 'database', 'medium', DB + '; older versions shipped in "admin party" mode'),
  p(6379, 'Redis', 'cache', 'high', CACHE + '; an open Redis is remote code execution'),
  p(6443, 'Kubernetes API server', 'container-api', 'high', API),
  p(7001, 'WebLogic', 'admin', 'medium', ADMIN),
  p(8000, 'HTTP (alt) / dev server', 'web', 'info', 'alternate web port'),
  p(8080, 'HTTP (alt) / admin', 'admin', 'low', 'often an application server or its admin console (Tomcat, Jenkins)', {
    panels: ['tomcat-manager', 'phpmyadmin', 'adminer', 'jenkins'],
  }),
  p(8081, 'HTTP (alt) / admin', 'admin', 'low', 'often a repository manager or admin console', {
    panels: ['tomcat-manager', 'phpmyadmin', 'adminer'],
  }),
  p(8443, 'HTTPS (alt) / admin', 'admin', 'low', 'often an admin console over TLS', {
    panels: ['tomcat-manager', 'phpmyadmin', 'adminer'],
  }),
  p(8888, 'Jupyter / HTTP (alt)', 'admin', 'medium', 'notebook servers execute code for whoever reaches them'),
  p(
    9000,
    'Admin panel / PHP-FPM / Portainer',
    'admin',
    'medium',
    ADMIN + '; PHP-FPM on 9000 executes PHP for any client',
    {
      panels: ['phpmyadmin', 'adminer'],
    },
  ),
  p(9090, 'Prometheus / admin', 'admin', 'low', 'metrics and admin endpoints leak internals'),
  p(9092, 'Kafka', 'broker', 'medium', 'Kafka listeners are often unauthenticated'),
  p(9042, 'Cassandra', 'database', 'medium', DB),
  p(9200, 'Elasticsearch', 'database', 'high', 'Elasticsearch without security is read/write for anyone'),
  p(9300, 'Elasticsearch transport', 'database', 'medium', DB),
  p(10250, 'Kubelet API', 'container-api', 'critical', 'the kubelet API runs commands in any pod of the node'),
  p(10255, 'Kubelet read-only', 'container-api', 'medium', 'pod and node details without authentication'),
  p(11211, 'Memcached', 'cache', 'high', CACHE + '; also abused for UDP amplification'),
  p(15672, 'RabbitMQ management', 'admin', 'medium', BROKER + '; the management UI administers the broker'),
  p(27017, 'MongoDB', 'database', 'high', DB + '; older defaults had no authentication'),
  p(50000, 'Jenkins agent', 'admin', 'medium', 'Jenkins inbound agents'),
];

const BY_PORT = new Map(PORT_TABLE.map((x) => [x.port, x]));

/** What EXPOSE does and does not do, said once for every port (message, Ports panel). */
export const PUBLISH_ALL_NOTE =
  'EXPOSE publishes nothing by itself, but `docker run -P` (--publish-all) publishes every exposed port on all host interfaces.';

export function portInfo(port: number): PortInfo | undefined {
  return BY_PORT.get(port);
}

/** Admin panels found in the final image: id → path where found. */
export function findPanels(tree: FileTree): Map<string, string> {
  const found = new Map<string, string>();
  const top = tree.layerCount - 1;
  // (The nodes with such names come from the checks' shared walk: no walk of its own.)
  for (const n of nodeIndex(tree).panelNames) {
    if (found.size >= 4) break;
    const name = n.name.toLowerCase();
    if (!n.liveAt(top)) continue;
    const path = n.path;
    if (name === 'phpmyadmin' && !found.has('phpmyadmin')) found.set('phpmyadmin', path);
    else if (/^adminer(?:-[\d.]+)?(?:\.php)?$/.test(name) && !found.has('adminer')) found.set('adminer', path);
    else if (name === 'manager' && /\/webapps\/manager$/.test(path) && !found.has('tomcat-manager'))
      found.set('tomcat-manager', path);
    else if (name === 'jenkins.war') found.set('jenkins', path);
  }
  return found;
}

/**
 * An ExposedPorts key as Docker publishes it with `-P` (go-connections' nat: split at `/`, the
 * protocol tcp when the second part is missing or empty, further parts ignored; the port a
 * decimal below 65536, leading zeros allowed, no sign or space): `"3306/tcp"`, `"3306"`,
 * `"3306/"`, `"3306/TCP/x"` are all 3306/tcp. Undefined for what Docker does not publish
 * (`"+3306"`, `" 3306"`; a range, which Docker 20.10 publishes as port 0).
 */
export function parsePortKey(k: string): [number, string] | undefined {
  const parts = k.split('/');
  if (!/^[0-9]+$/.test(parts[0])) return undefined;
  const port = Number(parts[0]);
  const proto = (parts.length < 2 || parts[1] === '' ? 'tcp' : parts[1]).toLowerCase();
  if (port === 0 || port > 65535 || (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp')) return undefined;
  return [port, proto];
}

export function portFindings(meta: ImageMeta, tree: FileTree): Finding[] {
  const keys = Object.keys(meta.config.config?.ExposedPorts ?? {});
  if (keys.length === 0) return [];
  const panels = findPanels(tree);
  const out: Finding[] = [];
  // Two keys may name one port ("5432" and "5432/tcp"): one finding.
  const seen = new Set<string>();
  const unknown: Array<[number, string]> = [];
  for (const k of keys) {
    const parsed = parsePortKey(k);
    const id = parsed?.join('/');
    if (!parsed || !id || seen.has(id)) continue;
    seen.add(id);
    const [port, proto] = parsed;
    const info = BY_PORT.get(port);
    if (!info) {
      unknown.push(parsed);
      continue;
    }
    let severity: Severity = info.risk;
    const panelHits = (info.panels ?? []).filter((id) => panels.has(id));
    let panelText = '';
    if (panelHits.length) {
      severity = 'high';
      panelText = ` The image contains ${panelHits.map((id) => `${id} (${panels.get(id)})`).join(', ')}, served on this port.`;
    }
    const service = info.service;
    out.push(
      makeFinding({
        ruleId: `port-${info.kind}`,
        category: 'port',
        severity,
        title: `EXPOSE ${port}/${proto}: ${service}`,
        message: `Port ${port}/${proto} (${service}) is exposed: ${info.why}.${panelText} ${PUBLISH_ALL_NOTE}`,
        remediation:
          info.kind === 'database' ||
          info.kind === 'cache' ||
          info.kind === 'container-api' ||
          info.kind === 'remote-access'
            ? `Remove EXPOSE ${port} unless clients outside the container network must reach it; publish explicitly on a private interface (-p 127.0.0.1:${port}:${port}) and require authentication.`
            : `Expose only what clients need, publish ports explicitly (-p) rather than with -P, and put admin interfaces behind authentication.`,
        key: `${port}/${proto}`,
        properties: {
          port,
          protocol: proto,
          service,
          kind: info.kind,
          why: info.why,
          ...(panelHits.length ? { panels: panelHits.map((id) => panels.get(id)) } : {}),
        },
      }),
    );
  }
  for (const r of portRanges(unknown)) out.push(unknownPorts(r));
  return out;
}

/** Ports of no service layerlens knows, `first` to `last` of one protocol (one port: equal). */
interface PortRange {
  first: number;
  last: number;
  proto: string;
  /** The ports of the ranges past MAX_UNKNOWN_RANGES folded into this one (the last): their count. */
  more?: { ports: number; ranges: number };
}

/**
 * Unknown ports' findings, one per range: `EXPOSE 10000-20000/udp` (a media server's RTP ports)
 * is 10,001 keys in the config, and one per port made 130,000 findings and a 120 MB report of a
 * 2.6 MB config. Past this many ranges, the widest are listed and the rest counted in the last.
 */
const MAX_UNKNOWN_RANGES = 64;

function portRanges(ports: Array<[number, string]>): PortRange[] {
  ports.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] - b[0]));
  const ranges: PortRange[] = [];
  for (const [port, proto] of ports) {
    const last = ranges[ranges.length - 1];
    if (last && last.proto === proto && last.last === port - 1) last.last = port;
    else ranges.push({ first: port, last: port, proto });
  }
  if (ranges.length <= MAX_UNKNOWN_RANGES) return ranges;
  // The widest ranges are listed (in their order), the rest counted.
  const bySize = [...ranges].sort((a, b) => b.last - b.first - (a.last - a.first));
  const listed = new Set(bySize.slice(0, MAX_UNKNOWN_RANGES));
  const rest = bySize.slice(MAX_UNKNOWN_RANGES);
  const kept = ranges.filter((r) => listed.has(r));
  kept[kept.length - 1].more = { ports: rest.reduce((n, r) => n + r.last - r.first + 1, 0), ranges: rest.length };
  return kept;
}

function unknownPorts(r: PortRange): Finding {
  const count = r.last - r.first + 1;
  const ports = count === 1 ? `${r.first}/${r.proto}` : `${r.first}-${r.last}/${r.proto}`;
  const more = r.more
    ? ` ${formatCount(r.more.ports)} more ports of no known service, in ${formatCount(r.more.ranges)} ranges, are exposed too (only the first ${MAX_UNKNOWN_RANGES} ranges are listed).`
    : '';
  return makeFinding({
    ruleId: 'port-exposed',
    category: 'port',
    severity: 'info',
    title: `EXPOSE ${ports}: ${count === 1 ? 'unknown service' : `${formatCount(count)} ports, unknown services`}${r.more ? ` (and ${formatCount(r.more.ports)} more ports)` : ''}`,
    message: `${count === 1 ? `Port ${ports} (unknown service) is` : `Ports ${ports} (${formatCount(count)}, no service layerlens knows) are`} exposed.${more} ${PUBLISH_ALL_NOTE}`,
    remediation:
      'Expose only what clients need, publish ports explicitly (-p) rather than with -P, and put admin interfaces behind authentication.',
    key: ports,
    properties: {
      port: r.first,
      ...(count > 1 ? { lastPort: r.last } : {}),
      protocol: r.proto,
      service: 'unknown service',
      kind: 'other',
      why: 'not a port layerlens knows: check what listens there',
      ...(r.more ? { morePorts: r.more.ports, moreRanges: r.more.ranges } : {}),
    },
  });
}
