// Every exit status a program of this package returns, and what it means: the one place they
// are decided (test/app/exit-status.test.ts finds any other). ipvsadm's follow 1.31's;
// realserver/director's and lab's are documented in ipvsadm-realserver(8) and ipvsadm(8).

/** `ipvsadm` and `ipvsadm-save`/`ipvsadm-restore`, as 1.31 exits. */
export const IPVSADM_EXIT = {
  OK: 0,
  /** a listing (or save) failed; -L --timeout and -L --daemon say nothing, the others name the error */
  LISTING_FAILED: 1,
  /** ours: standard input could not be read (1.31 reads it as empty) */
  INPUT_UNREADABLE: 1,
  /** ipvsadm-save was given an option it does not know */
  SAVE_USAGE: 1,
  /** an invalid command line; IPVS cannot be initialised; a bad environment setting */
  USAGE: 2,
  /** ours: a JSON document that cannot be restored (nothing was changed) */
  BAD_DOCUMENT: 2,
  /** the kernel refused a change, or could not be talked to */
  KERNEL: 255,
  /** the option parser's errors after the command (`-t: missing argument`), as popt's */
  POPT: 255,
} as const;

/** `ipvsadm realserver|director` (ipvsadm-realserver(8)). */
export const PREP_EXIT = {
  OK: 0,
  /** check: a requirement is not met */
  NOT_READY: 1,
  /** bad arguments, unknown interface, a conflicting address: nothing was touched */
  USAGE: 2,
  /** the system refused a change (or could not be read); everything applied was rolled back */
  FAILED: 3,
  /** as FAILED, but the rollback failed too: the listed changes remain */
  ROLLBACK_FAILED: 4,
} as const;

/** `ipvsadm apply` (ipvsadm(8), APPLY); --dry-run's 0 and 2 as `terraform plan -detailed-exitcode`. */
export const APPLY_EXIT = {
  /** applied and verified, or nothing to change (--dry-run: nothing would change) */
  OK: 0,
  /** the file, the options or IPVS itself are not usable: nothing was touched */
  INVALID: 1,
  /** --dry-run: there are changes to make */
  PENDING: 2,
  /** a change failed (refused, unanswered) or the check after applying did; all was undone: the table read back equals the one before */
  ROLLED_BACK: 3,
  /** as ROLLED_BACK, but the table read back still differs (the differences listed remain), or could not be read */
  ROLLBACK_INCOMPLETE: 4,
  /** another apply is changing this namespace's table: nothing was touched */
  BUSY: 5,
} as const;

/** `ipvsadm drain` (ipvsadm-drain(8)). */
export const DRAIN_EXIT = {
  /** the weight is 0 and, as asked, the real server drained and was deleted */
  OK: 0,
  /** --wait: the time ran out first; the weight stays 0 and the real server stays */
  TIMED_OUT: 1,
  /** bad usage, or no such service or real server: nothing was changed */
  USAGE: 2,
  /** IPVS refused a change or could not be read */
  FAILED: 3,
} as const;

/** `ipvsadm compare` (ipvsadm-compare(8)), as diff(1) and cmp(1) exit. */
export const COMPARE_EXIT = {
  /** the two tables are the same */
  SAME: 0,
  /** they differ (services, settings, real servers, or the order mh, sh or dh walks) */
  DIFFERENT: 1,
  /** bad usage, an input that cannot be read or is not a table, or IPVS could not be read */
  TROUBLE: 2,
} as const;

/** The commands that only watch IPVS: `ipvsadm metrics` and `ipvsadm top` (ipvsadm-metrics(8), ipvsadm-top(8)). */
const WATCHER_EXIT = {
  /** metrics: printed, or served until SIGTERM/SIGINT; top: ended by a key, a signal or --count */
  OK: 0,
  /** bad usage */
  USAGE: 2,
  /** IPVS could not be read (top: at the start), or metrics could not listen on the address */
  FAILED: 3,
} as const;

/** `ipvsadm metrics` (ipvsadm-metrics(8)). */
export const METRICS_EXIT = WATCHER_EXIT;

/** `ipvsadm top` (ipvsadm-top(8)). */
export const TOP_EXIT = WATCHER_EXIT;

/** `ipvsadm doctor` (ipvsadm-doctor(8)). */
export const DOCTOR_EXIT = {
  /** no check failed (warnings and notes may remain) */
  OK: 0,
  /** at least one check failed */
  PROBLEMS: 1,
  /** bad usage */
  USAGE: 2,
} as const;

/** `ipvsadm director ready` (ipvsadm-realserver(8), READINESS GATE): what keepalived's vrrp_script reads. */
export const READY_EXIT = {
  /** ready (with --watch: ended by SIGTERM, SIGINT or SIGHUP) */
  READY: 0,
  /** not ready, or IPVS could not be read */
  NOT_READY: 1,
  /** bad usage */
  USAGE: 2,
} as const;

/** `ipvsadm lab` (ipvsadm(8), LAB). */
export const LAB_EXIT = {
  OK: 0,
  /** a bad option, or rules the lab cannot use */
  USAGE: 2,
  /** the sandbox kernel or the lab around it could not be built */
  FAILED: 3,
  /** the traffic agent (a helper process the lab starts in its namespaces) failed */
  AGENT_FAILED: 1,
} as const;

/** `ipvsadm completion` (ipvsadm-completion(8)). */
export const COMPLETION_EXIT = {
  /** the script printed; `values`: the values printed, or none (no IPVS, no permission, no such service) */
  OK: 0,
  /** bad usage (an unknown shell or values kind) */
  USAGE: 2,
} as const;

/** What the process boundary adds to any program's status (shell conventions). */
export const PROCESS_EXIT = {
  /** the output could not be written and the command itself succeeded */
  WRITE_ERROR: 1,
  /** a bug: an exception nothing expected (EX_SOFTWARE of sysexits.h) */
  INTERNAL_ERROR: 70,
  /** 128 + SIGPIPE: what a shell shows for a process killed by a broken pipe */
  BROKEN_PIPE: 141,
} as const;
