// The field registry, one table per model object (service, real server, sync daemon, timeouts):
// what every output reads to write, read, compare or label a setting.
export { SERVICE_FIELDS } from './service.js';
export { DESTINATION_FIELDS, forwardName } from './destination.js';
export { DAEMON_FIELDS, TIMEOUT_FIELDS } from './daemon.js';
