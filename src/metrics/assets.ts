// The files shipped beside `ipvsadm metrics` for Prometheus and Grafana: the alerting and
// recording rules (rules/ipvsadm.rules.yml) and the dashboard (dashboard/ipvsadm.json), found
// from this module's place whether it runs from src/ or from the build in dist/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What `--print-rules` and `--print-dashboard` print: the files themselves, as shipped. */
export const ASSETS = {
  rules: fileURLToPath(new URL('../../src/metrics/rules/ipvsadm.rules.yml', import.meta.url)),
  dashboard: fileURLToPath(new URL('../../src/metrics/dashboard/ipvsadm.json', import.meta.url)),
} as const;
export type Asset = keyof typeof ASSETS;

/** The text of a shipped file; throws (with its path) when the installation lacks it. */
export function readAsset(which: Asset): string {
  return readFileSync(ASSETS[which], 'utf8');
}
