// The metrics server under a web configuration: HTTPS with the file's certificate, client
// certificate policy and TLS limits, or plain HTTP; its headers, rate limit and basic auth on
// every request. The file (and the PEM files it names) is looked at again on every new connection
// and request and reloaded when changed, or at once on SIGHUP; a file that turns bad shuts the
// door (500 to every request) until it is fixed, and says why once on stderr.
import { statSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { BasicAuth, basicCredentials } from './basic-auth.js';
import { namedFiles, readPem, readWebConfig, WebConfigError } from './web-config.js';

export { WebConfigError };
import type { TlsSettings, WebConfig } from './web-config.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The TLS options of the settings, each PEM read and tried, a failure naming its key. */
export function secureOptions(t: TlsSettings): ServerOptions {
  const tryWith = (key: string, options: ServerOptions): ServerOptions => {
    try {
      createSecureContext(options);
      return options;
    } catch (e) {
      throw new WebConfigError(`tls_server_config.${key}: ${(e as Error).message}`);
    }
  };
  const ca = t.clientCa ? tryWith('client_ca_file', { ca: readPem(t.clientCa, 'client_ca_file') }) : {};
  tryWith('cert_file', { cert: readPem(t.cert, 'cert_file') });
  const pair = tryWith('key_file', { cert: readPem(t.cert, 'cert_file'), key: readPem(t.key, 'key_file') });
  const limits: ServerOptions = { minVersion: t.minVersion, maxVersion: t.maxVersion, honorCipherOrder: t.honorCipherOrder };
  if (t.ciphers) tryWith('cipher_suites', { ...limits, ciphers: t.ciphers.join(':') });
  if (t.curves) tryWith('curve_preferences', { ecdhCurve: t.curves.join(':') });
  return {
    ...ca,
    ...pair,
    ...limits,
    ...(t.ciphers ? { ciphers: t.ciphers.join(':') } : {}),
    ...(t.curves ? { ecdhCurve: t.curves.join(':') } : {}),
    requestCert: t.clientAuth !== 'NoClientCert',
    rejectUnauthorized: t.clientAuth === 'RequireAndVerifyClientCert',
  };
}

/** A configuration with its PEM files read; the TLS options are undefined for plain HTTP. */
export interface LoadedWebConfig {
  readonly config: WebConfig;
  readonly secure?: ServerOptions;
}

/** The configuration in `path`, its PEM files read and tried: a WebConfigError when unusable. */
export function loadWebConfig(path: string): LoadedWebConfig {
  const config = readWebConfig(path);
  return { config, ...(config.tls ? { secure: secureOptions(config.tls) } : {}) };
}

/** What tells a changed file: device, inode, size, times (of each file, in order). */
function stamp(paths: readonly string[]): string {
  return paths
    .map((p) => {
      const s = statSync(p, { throwIfNoEntry: false, bigint: true });
      return s ? `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : '-';
    })
    .join('|');
}

/** The file's configuration as it is now: reloaded when a file changed, unusable while it is bad. */
export class LiveWebConfig {
  /** the last configuration that could be used (still the TLS context while the file is bad) */
  loaded: LoadedWebConfig;
  private seen: string;
  private broken: string | undefined;
  /** called with each configuration loaded after the first */
  onReload: (loaded: LoadedWebConfig) => void = () => undefined;

  /** Throws WebConfigError when the file cannot be used. */
  constructor(
    readonly path: string,
    private readonly say: (text: string) => void,
  ) {
    this.loaded = loadWebConfig(path);
    this.seen = stamp([path, ...namedFiles(this.loaded.config)]);
  }

  /** The configuration in force; undefined while the file is bad. `force`: reload even if unchanged. */
  current(force = false): LoadedWebConfig | undefined {
    const now = stamp([this.path, ...namedFiles(this.loaded.config)]);
    if (!force && now === this.seen) return this.broken === undefined ? this.loaded : undefined;
    this.seen = now;
    try {
      const next = loadWebConfig(this.path);
      if (!next.secure !== !this.loaded.secure) throw new WebConfigError('tls_server_config: turning TLS on or off takes a restart');
      this.loaded = next;
      this.seen = stamp([this.path, ...namedFiles(next.config)]);
      if (this.broken !== undefined) this.say(`${this.path}: usable again`);
      this.broken = undefined;
      this.onReload(next);
      return next;
    } catch (e) {
      if (!(e instanceof WebConfigError)) throw e;
      if (this.broken !== e.message) this.say(`${this.path}: ${e.message}; refusing requests until it is fixed`);
      this.broken = e.message;
      return undefined;
    }
  }
}

/** A token bucket: `burst` requests at once, then one per `intervalMs`. */
export function tokenBucket(intervalMs: number, burst: number, now: () => number = () => performance.now()): () => boolean {
  let tokens = burst;
  let last = now();
  return () => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) / intervalMs);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** An IPv6 address in one spelling (OpenSSL writes 2001:DB8:0:0:0:0:0:1, people 2001:db8::1). */
const sameSpelling = (name: string): string => (isIPv6(name) ? new URL(`http://[${name}]`).hostname.slice(1, -1) : name);

/** The values of a certificate's subjectAltName (`DNS:a, IP Address:1.2.3.4` → a, 1.2.3.4). */
export function altNames(subjectaltname: string | undefined): string[] {
  return (subjectaltname ?? '').split(', ').flatMap((part) => (part.includes(':') ? [sameSpelling(part.slice(part.indexOf(':') + 1).replace(/^"|"$/g, ''))] : []));
}

/** Why a client's certificate is refused under the settings; undefined when it is not. */
export function clientCertProblem(socket: TLSSocket, t: TlsSettings): string | undefined {
  if (t.clientAuth === 'NoClientCert' || t.clientAuth === 'RequestClientCert') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return t.clientAuth === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
  if (t.clientAuth !== 'RequireAnyClientCert' && !socket.authorized) return `client certificate not verified (${String(socket.authorizationError)})`;
  if (t.allowedSans.length > 0 && !altNames(cert.subjectaltname).some((n) => t.allowedSans.map(sameSpelling).includes(n))) return 'client certificate names no allowed SAN';
  return undefined;
}

const refuse = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void =>
  void res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(text);

/** `handle` behind the configuration's headers, rate limit and basic auth. */
function guard(live: LiveWebConfig, handle: Handler): Handler {
  const auth = new BasicAuth();
  let limiter: { key: string; allow: () => boolean } | undefined;
  return async (req, res) => {
    const loaded = live.current();
    if (!loaded) return refuse(res, 500, 'ipvsadm metrics: the web configuration cannot be used (see the log)\n');
    const { headers, users, rateLimit } = loaded.config;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const key = rateLimit ? `${rateLimit.intervalMs}/${rateLimit.burst}` : '';
    if (limiter?.key !== key) limiter = { key, allow: rateLimit ? tokenBucket(rateLimit.intervalMs, rateLimit.burst) : () => true };
    if (!limiter.allow()) return refuse(res, 429, 'Too Many Requests\n');
    if (users.size > 0) {
      auth.prepare(users);
      const given = basicCredentials(req.headers.authorization);
      if (!given || !(await auth.verify(users, given.user, given.password))) return refuse(res, 401, 'Unauthorized\n', { 'WWW-Authenticate': 'Basic' });
    }
    return handle(req, res);
  };
}

/** The server for `handle` under the configuration: HTTPS or HTTP as it says, each connection and request under the configuration current then. */
export function metricsServer(handle: Handler, live: LiveWebConfig): Server {
  const guarded = guard(live, handle);
  // a failure after the headers (a bug) can only cut the response off
  const listener = (req: IncomingMessage, res: ServerResponse): void => void guarded(req, res).catch(() => res.destroy());
  const first = live.loaded;
  const server = first.secure ? createHttpsServer(first.secure, listener) : createHttpServer(listener);
  // before the TLS layer sees the connection, so a renewed certificate serves it
  server.prependListener('connection', () => void live.current());
  if (first.secure) {
    live.onReload = ({ secure }) => {
      (server as ReturnType<typeof createHttpsServer>).setSecureContext(secure!);
      // setSecureContext leaves these, which each new connection takes from the server
      Object.assign(server, { requestCert: secure!.requestCert, rejectUnauthorized: secure!.rejectUnauthorized });
    };
    // the policy of the context the handshake used; a request then meets a bad file's 500
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (clientCertProblem(socket, live.loaded.config.tls!) !== undefined) socket.destroy();
    });
  }
  return server;
}
