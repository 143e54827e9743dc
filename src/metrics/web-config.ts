// The web configuration file of `metrics --listen --web.config.file` (the format Prometheus'
// exporters share): YAML read strictly into typed settings, every unknown key or value that Node's
// TLS cannot honour refused with the key's path named; then the PEM files it names are read.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { parseDocument } from 'yaml';

/** Whatever makes a configuration unusable; the message starts with the key it is about. */
export class WebConfigError extends Error {}

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuth = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** The TLS 1.2 suites the format takes (Go's secure list), as OpenSSL names them. */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};
/** TLS 1.3's suites: always on, so naming them changes nothing (as in the format's own servers). */
const TLS13_SUITES = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);

const CURVES: Readonly<Record<string, string>> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/** The response headers the format takes, and the values some of them are limited to. */
const HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Content-Security-Policy': undefined,
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-Content-Type-Options': ['nosniff'],
  'X-XSS-Protection': undefined,
  'Strict-Transport-Security': undefined,
};

/** A PEM text given inline, or the file that holds it (absolute, resolved against the file's folder). */
export type PemSource = { readonly pem: string } | { readonly file: string };

export interface TlsSettings {
  readonly cert: PemSource;
  readonly key: PemSource;
  readonly clientCa?: PemSource;
  readonly clientAuth: ClientAuth;
  readonly allowedSans: readonly string[];
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
  /** OpenSSL's names, in the order given; undefined: Node's defaults */
  readonly ciphers?: readonly string[];
  readonly honorCipherOrder: boolean;
  /** OpenSSL's names; undefined: Node's defaults */
  readonly curves?: readonly string[];
}

export interface WebConfig {
  /** undefined: plain HTTP */
  readonly tls?: TlsSettings;
  readonly headers: Readonly<Record<string, string>>;
  /** user → bcrypt hash; empty: no authentication */
  readonly users: ReadonlyMap<string, string>;
  /** a token bucket: one request per intervalMs, bursts of `burst`; undefined: no limit */
  readonly rateLimit?: { readonly intervalMs: number; readonly burst: number };
}

type Mapping = Readonly<Record<string, unknown>>;

const fail = (where: string, why: string): never => {
  throw new WebConfigError(`${where}: ${why}`);
};

/** The mapping at `where` (null and absent are empty), after refusing any key not in `known`. */
function mapping(value: unknown, where: string, known?: readonly string[]): Mapping {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Map) return fail(where, 'expected a mapping of keys to values');
  for (const key of Object.keys(value)) {
    if (known && !known.includes(key)) fail(where === '' ? key : `${where}.${key}`, `unknown key (known: ${known.join(', ')})`);
  }
  return value as Mapping;
}

function text(m: Mapping, key: string, where: string): string | undefined {
  const v = m[key];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : fail(`${where}.${key}`, 'expected a string');
}

function list(m: Mapping, key: string, where: string): string[] | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return fail(`${where}.${key}`, 'expected a list of strings');
  return v as string[];
}

function flag(m: Mapping, key: string, where: string, fallback: boolean): boolean {
  const v = m[key];
  if (v === undefined || v === null) return fallback;
  return typeof v === 'boolean' ? v : fail(`${where}.${key}`, 'expected true or false');
}

function oneOf<T>(value: string, table: Readonly<Record<string, T>>, where: string): T {
  return Object.hasOwn(table, value) ? table[value]! : fail(where, `unsupported value '${value}' (supported: ${Object.keys(table).join(', ')})`);
}

/** `cert` or `cert_file` (exactly one when `required`), a relative file taken from `dir`. */
function pem(m: Mapping, inline: string, file: string, dir: string, required: boolean): PemSource | undefined {
  const where = 'tls_server_config';
  const [p, f] = [text(m, inline, where), text(m, file, where)];
  if (p !== undefined && f !== undefined) fail(`${where}.${file}`, `give ${inline} or ${file}, not both`);
  if (p !== undefined) return { pem: p };
  if (f !== undefined) return { file: resolve(dir, f) };
  return required ? fail(`${where}.${file}`, `missing (or ${inline} inline)`) : undefined;
}

const TLS_KEYS: readonly string[] = ['cert', 'key', 'client_ca', 'cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'client_allowed_sans', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences'];

/** The keys the file takes: at the top, and in each part (basic_auth_users' are user names). */
export const WEB_CONFIG_KEYS = {
  tls_server_config: TLS_KEYS,
  http_server_config: ['http2', 'headers'],
  basic_auth_users: [],
  rate_limit: ['interval', 'burst'],
} as const satisfies Record<string, readonly string[]>;
export const WEB_CONFIG_HEADERS: readonly string[] = Object.keys(HEADERS);

/** The ciphers of cipher_suites, as OpenSSL names them (TLS 1.3's are left to OpenSSL). */
function ciphers(names: readonly string[] | undefined): string[] | undefined {
  if (names === undefined) return undefined;
  const where = 'tls_server_config.cipher_suites';
  const openssl = names.filter((n) => !TLS13_SUITES.has(n)).map((n) => oneOf(n, CIPHER_SUITES, where));
  return openssl.length > 0 ? openssl : fail(where, 'no TLS 1.2 suite named (TLS 1.3 suites are always on)');
}

function tlsSettings(raw: unknown, dir: string): TlsSettings | undefined {
  const where = 'tls_server_config';
  const m = mapping(raw, where, TLS_KEYS);
  if (Object.keys(m).length === 0) return undefined;
  const clientAuth = (text(m, 'client_auth_type', where) ?? 'NoClientCert') as ClientAuth;
  if (!CLIENT_AUTH_TYPES.includes(clientAuth)) fail(`${where}.client_auth_type`, `unsupported value '${clientAuth}' (supported: ${CLIENT_AUTH_TYPES.join(', ')})`);
  const clientCa = pem(m, 'client_ca', 'client_ca_file', dir, false);
  if (clientCa && clientAuth === 'NoClientCert') fail(`${where}.client_ca_file`, 'a client CA is given but client_auth_type is NoClientCert (use RequireAndVerifyClientCert)');
  if (!clientCa && (clientAuth === 'RequireAndVerifyClientCert' || clientAuth === 'VerifyClientCertIfGiven')) fail(`${where}.client_ca_file`, `missing: ${clientAuth} verifies client certificates against it`);
  const allowedSans = list(m, 'client_allowed_sans', where) ?? [];
  if (allowedSans.length > 0 && clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') fail(`${where}.client_allowed_sans`, 'needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
  const version = (key: string, fallback: string): SecureVersion => oneOf(text(m, key, where) ?? fallback, TLS_VERSIONS, `${where}.${key}`);
  const [minVersion, maxVersion] = [version('min_version', 'TLS12'), version('max_version', 'TLS13')];
  if (minVersion > maxVersion) fail(`${where}.min_version`, 'is above max_version');
  const curves = list(m, 'curve_preferences', where)?.map((c) => oneOf(c, CURVES, `${where}.curve_preferences`));
  const cipherList = ciphers(list(m, 'cipher_suites', where));
  return {
    cert: pem(m, 'cert', 'cert_file', dir, true)!,
    key: pem(m, 'key', 'key_file', dir, true)!,
    ...(clientCa ? { clientCa } : {}),
    clientAuth,
    allowedSans,
    minVersion,
    maxVersion,
    ...(cipherList ? { ciphers: cipherList } : {}),
    honorCipherOrder: flag(m, 'prefer_server_cipher_suites', where, true),
    ...(curves ? { curves } : {}),
  };
}

function httpHeaders(raw: unknown): Record<string, string> {
  const where = 'http_server_config';
  const m = mapping(raw, where, WEB_CONFIG_KEYS.http_server_config);
  if (flag(m, 'http2', where, false)) fail(`${where}.http2`, 'HTTP/2 is not served (HTTP/1.1 only): set false or leave it out');
  const headers = mapping(m['headers'], `${where}.headers`, Object.keys(HEADERS));
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = text(headers, name, `${where}.headers`);
    if (value === undefined) continue;
    const allowed = HEADERS[name];
    if (allowed && !allowed.includes(value.toLowerCase())) fail(`${where}.headers.${name}`, `unsupported value '${value}' (supported: ${allowed.join(', ')})`);
    out[name] = value;
  }
  return out;
}

/** A bcrypt hash as htpasswd -B and the bcrypt libraries write it: $2a$, $2b$ or $2y$, cost 4 to 31. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

function users(raw: unknown): Map<string, string> {
  const m = mapping(raw, 'basic_auth_users');
  const out = new Map<string, string>();
  for (const [user, hash] of Object.entries(m)) {
    if (typeof hash !== 'string' || !BCRYPT.test(hash)) fail(`basic_auth_users.${user}`, 'not a bcrypt hash ($2y$10$ and 53 characters, as htpasswd -nBC 10 writes it)');
    if (user.includes(':')) fail(`basic_auth_users.${user}`, "a user name cannot hold ':'");
    out.set(user, hash as string);
  }
  return out;
}

/** A Go duration (`1s`, `500ms`, `1m30s`, `0`) in milliseconds. */
export function parseDuration(value: string, where: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (value === '0') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return fail(where, `'${value}' is not a duration (like 1s, 500ms, 1m30s)`);
  let ms = 0;
  for (const [, n, , unit] of value.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * units[unit!]!;
  return ms;
}

function rateLimit(raw: unknown): WebConfig['rateLimit'] {
  const m = mapping(raw, 'rate_limit', WEB_CONFIG_KEYS.rate_limit);
  if (Object.keys(m).length === 0) return undefined;
  const interval = m['interval'];
  const intervalMs = parseDuration(typeof interval === 'number' ? String(interval) : (text(m, 'interval', 'rate_limit') ?? '0'), 'rate_limit.interval');
  const burst = m['burst'] ?? 0;
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 0) return fail('rate_limit.burst', 'expected a whole number');
  if (intervalMs === 0) return undefined;
  return burst > 0 ? { intervalMs, burst } : fail('rate_limit.burst', 'must be at least 1 when an interval is set');
}

/** The settings of a web configuration file's text; relative file names are taken from `dir`. */
export function parseWebConfig(source: string, dir: string): WebConfig {
  const doc = parseDocument(source, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) fail(`line ${problem.linePos?.[0].line ?? '?'}`, `not valid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  const top = mapping(doc.toJS({ maxAliasCount: 100 }), '', Object.keys(WEB_CONFIG_KEYS));
  const tls = tlsSettings(top['tls_server_config'], dir);
  const limit = rateLimit(top['rate_limit']);
  return { ...(tls ? { tls } : {}), headers: httpHeaders(top['http_server_config']), users: users(top['basic_auth_users']), ...(limit ? { rateLimit: limit } : {}) };
}

/** The files a configuration names (PEM files), for noticing that one changed. */
export function namedFiles(config: WebConfig): string[] {
  const sources = config.tls ? [config.tls.cert, config.tls.key, config.tls.clientCa] : [];
  return sources.flatMap((s) => (s && 'file' in s ? [s.file] : []));
}

/** The text of a PEM source; a file that cannot be read is a WebConfigError naming its key. */
export function readPem(source: PemSource, key: string): string {
  if ('pem' in source) return source.pem;
  try {
    return readFileSync(source.file, 'utf8');
  } catch (e) {
    return fail(`tls_server_config.${key}`, `cannot read ${source.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The configuration in `path`: read, parsed, checked. */
export function readWebConfig(path: string): WebConfig {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    return fail(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseWebConfig(source, dirname(resolve(path)));
}
