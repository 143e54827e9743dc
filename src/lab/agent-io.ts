// The traffic agent's process boundary (it runs as a process of its own, in a namespace of the
// sandbox kernel): its one writer of standard output and error, and how a failure sets its status.
// The agent never calls process.exit: it ends when its servers, sockets and timers are closed.
import { LAB_EXIT } from '../app/exit-status.js';

/** One line (or several) on standard output, as the lab reads them. */
export function emit(text: string): void {
  process.stdout.write(text);
}

/** The agent's failure: one line on standard error, status AGENT_FAILED. */
export function fail(message: string): void {
  process.stderr.write(`agent: ${message}\n`);
  process.exitCode = LAB_EXIT.AGENT_FAILED;
}
