// PID 1 of the user-mode kernel, as text: src/lab/uml.ts writes it into each run directory as
// `init` (so the installed package needs no separate script file). Shell source of truth; a unit
// test checks it with `bash -n`.

/** The guest's init script (bash). */
export const GUEST_INIT_SCRIPT = `#!/bin/bash
# PID 1 of the user-mode kernel booted by src/lab/uml.ts: prepares the guest (mounts, IPVS and
# tunnel modules, lo up), runs the command left in the run directory, writes its output and exit
# status back there (the guest's / is the host's /) and powers off. Writes nowhere else on the host.

# Kernel command line arguments of the form NAME=value reach PID 1 as environment variables.
RUN=\${IPVSADM_UML_RUN:-}
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

now() { read -r up _ </proc/uptime 2>/dev/null && printf '%s' "$up" || printf '?'; }
log() { printf '[%s] %s\\n' "$(now)" "$*" >>"$RUN/init.log"; }

power_off() {
    # reboot(2) straight from perl (perl-base is always installed on Debian): Debian's poweroff is
    # systemctl, which is absent without systemd and, even with -f, appends a shutdown record to
    # /var/log/wtmp, i.e. the host's (so it only comes later, with -d). If PID 1 returned, the kernel
    # would panic; \`panic=1 noreboot\` on the command line then ends UML anyway.
    sync
    perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc, 0)' >/dev/null 2>&1
    echo o >/proc/sysrq-trigger 2>/dev/null
    poweroff -f -d >/dev/null 2>&1
    sleep 5
    exit 1
}

setup_error() {
    log "setup error: $*"
    printf '%s\\n' "$*" >"$RUN/setup-error"
    power_off
}

if [ -z "$RUN" ] || [ ! -d "$RUN" ]; then
    echo "guest-init: run directory '\${RUN}' missing (IPVSADM_UML_RUN)" >/dev/console
    power_off
fi

log "init started"

# --- file systems: everything mounted here exists only inside the guest ----------------------
mount -t proc proc /proc || setup_error "cannot mount /proc"
mount -t sysfs sysfs /sys || setup_error "cannot mount /sys"
# /dev must be the guest's own devtmpfs, or the links below would land in the host's /dev.
if ! mountpoint -q /dev; then
    mount -t devtmpfs devtmpfs /dev || setup_error "cannot mount devtmpfs on /dev"
fi
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
# The host's /run shows through hostfs: hide it so \`ip netns add\` (/run/netns) and anything else
# that keeps state under /run stays in the guest.
mount -t tmpfs -o mode=755 tmpfs /run || setup_error "cannot mount tmpfs on /run"
mkdir -p /run/netns /run/lock
log "mounts done"

# --- modules: modprobe looks in /lib/modules/$(uname -r), which the host does not have for UML.
MODULES=\${IPVSADM_UML_MODULES:-/usr/lib/uml/modules}
KVER=$(uname -r)
[ -d "$MODULES/$KVER" ] || setup_error "no modules for kernel $KVER under $MODULES"
MODROOT=$RUN/modroot
mkdir -p "$MODROOT/lib" && ln -sfn "$MODULES" "$MODROOT/lib/modules"
# Every later modprobe (ipvsadm's, \`ipvsadm realserver up\`'s) finds the modules the same way.
export MODPROBE_OPTIONS="-d $MODROOT"

REQUIRED="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh
 ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs_pe_sip ip_vs_ftp"
EXTRA="ipip fou ip_gre ip6_tunnel dummy veth bridge"
# One modprobe process for the lot: every process start is expensive in the guest.
# shellcheck disable=SC2086
if ! modprobe -a -d "$MODROOT" $REQUIRED 2>>"$RUN/init.log"; then
    for m in $REQUIRED; do
        modprobe -d "$MODROOT" "$m" 2>>"$RUN/init.log" || setup_error "modprobe $m failed (see init.log)"
    done
fi
# shellcheck disable=SC2086
if ! modprobe -a -d "$MODROOT" $EXTRA 2>>"$RUN/init.log"; then
    for m in $EXTRA; do
        modprobe -d "$MODROOT" "$m" 2>>"$RUN/init.log" || printf 'module %s not loaded\\n' "$m" >>"$RUN/warnings"
    done
fi
[ -d /proc/net/ip_vs ] || [ -e /proc/net/ip_vs ] || setup_error "ip_vs loaded but /proc/net/ip_vs is missing"
log "modules loaded"

# --- network: without any configured address the kernel refuses real servers ("not unicast").
ip link set lo up || setup_error "cannot bring lo up"

# --- environment: nothing inherited from the host except what uml.ts wrote into env.sh -------
mkdir -p "$RUN/home" "$RUN/tmp"
export HOME="$RUN/home" TMPDIR="$RUN/tmp" LANG=C LC_ALL=C TERM=dumb IPVSADM_TS_GUEST=1
unset IPVSADM_UML_RUN IPVSADM_UML_MODULES
if [ -f "$RUN/env.sh" ]; then
    # shellcheck disable=SC1091
    . "$RUN/env.sh" || setup_error "cannot source env.sh"
fi
[ -n "\${IPVSADM_GUEST_NODE_DIR:-}" ] && PATH="$IPVSADM_GUEST_NODE_DIR:$PATH"
export PATH
cd "\${IPVSADM_GUEST_CWD:-/}" || setup_error "cannot cd to \${IPVSADM_GUEST_CWD:-/}"

[ -f "$RUN/command" ] || setup_error "no command file in $RUN"
log "command start"
now >"$RUN/command-start"
bash "$RUN/command" </dev/null >"$RUN/stdout" 2>"$RUN/stderr"
status=$?
now >"$RUN/command-end"
log "command exited with $status"
# Written last and renamed into place: its presence tells the host the command really finished.
printf '%s\\n' "$status" >"$RUN/status.tmp" && mv "$RUN/status.tmp" "$RUN/status"
power_off
`;
