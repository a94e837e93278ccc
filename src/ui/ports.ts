/**
 * EXPOSEd ports: what probably listens there and why it matters. EXPOSE itself publishes nothing,
 * but `docker run -P/--publish-all` maps every exposed port to a random host port, and
 * orchestrators and scanners treat the list as the service's surface.
 */
import type { Severity } from '../findings/types.js';

export interface PortInfo {
  service: string;
  severity: Severity;
  risk: string;
}

const TABLE: Record<number, PortInfo> = {
  21: { service: 'FTP', severity: 'high', risk: 'cleartext logins and data' },
  22: {
    service: 'SSH',
    severity: 'high',
    risk: 'a login service inside a container: keys/passwords to manage, brute-force target',
  },
  23: { service: 'Telnet', severity: 'critical', risk: 'cleartext remote shell' },
  25: { service: 'SMTP', severity: 'low', risk: 'mail relay: check it is not open' },
  53: { service: 'DNS', severity: 'low', risk: 'resolver: amplification if open' },
  111: { service: 'rpcbind', severity: 'high', risk: 'RPC portmapper, frequent attack target' },
  445: { service: 'SMB', severity: 'high', risk: 'file sharing; wormable history' },
  1433: { service: 'MS SQL Server', severity: 'high', risk: 'database reachable directly' },
  1521: { service: 'Oracle DB', severity: 'high', risk: 'database reachable directly' },
  2375: {
    service: 'Docker API (no TLS)',
    severity: 'critical',
    risk: 'unauthenticated root on the host for anyone who reaches it',
  },
  2376: { service: 'Docker API (TLS)', severity: 'high', risk: 'host control; only with client-certificate auth' },
  2379: { service: 'etcd', severity: 'critical', risk: 'cluster state and secrets' },
  3000: { service: 'web app (dev server)', severity: 'info', risk: 'application port' },
  3306: { service: 'MySQL/MariaDB', severity: 'high', risk: 'database reachable directly' },
  3389: { service: 'RDP', severity: 'high', risk: 'remote desktop login' },
  4243: { service: 'Docker API (legacy)', severity: 'critical', risk: 'unauthenticated root on the host' },
  5000: { service: 'registry / dev server', severity: 'low', risk: 'check authentication' },
  5432: { service: 'PostgreSQL', severity: 'high', risk: 'database reachable directly' },
  5601: { service: 'Kibana', severity: 'medium', risk: 'admin UI' },
  5900: { service: 'VNC', severity: 'high', risk: 'remote desktop, often weak passwords' },
  5984: { service: 'CouchDB', severity: 'high', risk: 'database with an HTTP admin API' },
  6379: { service: 'Redis', severity: 'high', risk: 'no auth by default; command execution via CONFIG' },
  6443: { service: 'Kubernetes API', severity: 'high', risk: 'cluster control plane' },
  8080: { service: 'HTTP (alt)', severity: 'info', risk: 'application port' },
  8443: { service: 'HTTPS (alt)', severity: 'info', risk: 'application port' },
  80: { service: 'HTTP', severity: 'info', risk: 'application port' },
  443: { service: 'HTTPS', severity: 'info', risk: 'application port' },
  8500: { service: 'Consul', severity: 'medium', risk: 'service catalog and KV store' },
  9000: { service: 'PHP-FPM / MinIO', severity: 'medium', risk: 'FastCGI must never be public' },
  9090: { service: 'Prometheus', severity: 'low', risk: 'metrics and targets disclosed' },
  9200: { service: 'Elasticsearch', severity: 'high', risk: 'data and cluster API, often no auth' },
  9300: { service: 'Elasticsearch transport', severity: 'high', risk: 'cluster transport' },
  10250: { service: 'kubelet', severity: 'critical', risk: 'exec into any pod on the node' },
  11211: { service: 'memcached', severity: 'high', risk: 'no auth; UDP amplification' },
  15672: { service: 'RabbitMQ management', severity: 'medium', risk: 'admin UI, default guest login' },
  27017: { service: 'MongoDB', severity: 'high', risk: 'database, historically no auth by default' },
};

export function portInfo(port: number): PortInfo {
  return (
    TABLE[port] ?? {
      service: port < 1024 ? 'system service' : 'unknown',
      severity: 'info',
      risk: port < 1024 ? 'privileged port: needs root or CAP_NET_BIND_SERVICE' : 'application port',
    }
  );
}

export interface ExposedPort {
  port: number;
  /** Upper end of a range ("8000-8010/tcp"). */
  to?: number;
  protocol: string;
  spec: string;
  info: PortInfo;
}

/** The image's EXPOSEd ports, sorted by port. Bad specs are kept with port NaN → skipped. */
export function exposedPorts(exposed: Record<string, object> | undefined): ExposedPort[] {
  const out: ExposedPort[] = [];
  for (const spec of Object.keys(exposed ?? {})) {
    const m = spec.match(/^(\d+)(?:-(\d+))?(?:\/(\w+))?$/);
    if (!m) continue;
    const port = Number(m[1]);
    out.push({
      port,
      to: m[2] ? Number(m[2]) : undefined,
      protocol: (m[3] ?? 'tcp').toLowerCase(),
      spec,
      info: portInfo(port),
    });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export const PUBLISH_ALL_NOTE =
  'EXPOSE only documents ports, but `docker run -P` (--publish-all) maps every one of them to a random port on all host interfaces.';
