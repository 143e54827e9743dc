// The logic half of the completion engine (engine.ts adds the tables): POSIX sh that bash, zsh
// (emulating sh) and dash run alike. It reads the words before the cursor once, left to right,
// keeping the command, the options given, the service and --netns, then prints the candidates.

/** The engine's functions; __ipvsadm_complete is the entry. */
export const ENGINE_LOGIC = `# __ipvsadm_complete PROGRAM CUR [WORD...]: the candidates for CUR, one a line, WORD... being the
# words between the program (ipvsadm, ipvsadm-save, ipvsadm-restore, as a path or not) and CUR;
# a line __files__ asks the shell for file names too.
__ipvsadm_complete() {
  local cur="$2" eq= ctx=all cmd= cmdopt= used= exp= exk= svo= svv= v6= ns= act= nops=0 f_l= f_t= f_k= w
  case \${1##*/} in
    ipvsadm-save|ipvsadm-restore) ctx="w:\${1##*/}" ;;
  esac
  shift 2
  for w in "$@"; do __ipvsadm_take "$w"; done
  __ipvsadm_finish
  return 0
}

# a candidate, printed when it starts with CUR (after \`--option=\` when CUR has one)
__ipvsadm_add() {
  case $1 in
    "$cur"*) printf '%s\\n' "$eq$1" ;;
  esac
}

# each item of list $1 (separated by $2) as a candidate
__ipvsadm_split() {
  local rest="$1$2" item
  while [ -n "$rest" ]; do
    item=\${rest%%"$2"*}
    rest=\${rest#*"$2"}
    if [ -n "$item" ]; then __ipvsadm_add "$item"; fi
  done
}

# one word before the cursor: an option's value, options, or an operand
__ipvsadm_take() {
  if [ -n "$exp" ]; then __ipvsadm_value "$1"; return 0; fi
  case $1 in
    --?*=*)
      __ipvsadm_option "\${1%%=*}"
      if [ -n "$exp" ]; then __ipvsadm_value "\${1#*=}"; fi ;;
    --?*) __ipvsadm_option "$1" ;;
    -?*) __ipvsadm_cluster "\${1#-}" ;;
    *) __ipvsadm_operand "$1" ;;
  esac
}

# -Ln: each letter an option; the rest of the word is the value of one that takes it
__ipvsadm_cluster() {
  local rest="$1" ch
  while [ -n "$rest" ]; do
    ch=\${rest%"\${rest#?}"}
    rest=\${rest#?}
    __ipvsadm_option "-$ch"
    if [ -n "$exp" ] && [ -n "$rest" ]; then __ipvsadm_value "$rest"; return 0; fi
  done
}

# finds spelling $1 in option list $2: f_l, f_t, f_k its long spelling, name and value kind
__ipvsadm_find() {
  local rest e s
  __ipvsadm_list "$2"
  rest="$__ipvsadm_r "
  while [ -n "$rest" ]; do
    e=\${rest%% *}
    rest=\${rest#* }
    s=\${e%%,*}
    e=\${e#*,}
    case $1 in
      "$s"|"\${e%%,*}") ;;
      *) continue ;;
    esac
    f_l=\${e%%,*}
    e=\${e#*,}
    f_t=\${e%%,*}
    f_k=\${e#*,}
    return 0
  done
  false
}

# an option typed: a command, a flag, or one whose value comes next
__ipvsadm_option() {
  if [ "$ctx" = all ] && [ "$1" = -l ]; then set -- -L; fi
  __ipvsadm_find "$1" "$ctx" || return 0
  case $f_k in
    cmd) __ipvsadm_command "$f_l"; cmd=$__ipvsadm_r; cmdopt=$f_l ;;
    cmd:*) __ipvsadm_command "$f_l"; cmd=$__ipvsadm_r; cmdopt=$f_l; exp=$f_l; exk=\${f_k#cmd:} ;;
    flag) ;;
    *) exp=$f_l; exk=$f_k ;;
  esac
  used="$used $f_t"
  if [ "$f_l" = --ipv6 ]; then v6=-6; fi
}

# the value of option $exp: the service and the namespace are kept for the live values
__ipvsadm_value() {
  case $exk in
    service:*) svo=$exp; svv=$1 ;;
    netns) ns=$1 ;;
  esac
  exp=
  exk=
}

# a word that is no option: our leading word, its action, or an operand
__ipvsadm_operand() {
  if [ "$ctx" = all ] && [ -z "$cmd" ] && [ "$nops" -eq 0 ]; then
    case " $__ipvsadm_words " in
      *" $1 "*) ctx="w:$1"; return 0 ;;
    esac
  fi
  if [ -z "$act" ]; then
    __ipvsadm_actions "$ctx"
    if [ -n "$__ipvsadm_r" ]; then
      act=$1
      if [ "$ctx:$1" = w:director:ready ]; then ctx=w:director:ready; used=; fi
      return 0
    fi
  fi
  nops=$((nops + 1))
}

# the candidates once every word before the cursor is read
__ipvsadm_finish() {
  case $exp:$cur in
    :--?*=*)
      __ipvsadm_option "\${cur%%=*}"
      if [ -n "$exp" ]; then eq="\${cur%%=*}="; cur=\${cur#*=}; fi ;;
  esac
  if [ -n "$exp" ]; then __ipvsadm_expected; return 0; fi
  if [ "$ctx" = all ]; then
    if [ -n "$cmd" ]; then __ipvsadm_offer "c:$cmd"; return 0; fi
    if [ "$nops" -eq 0 ]; then
      case $cur in -*) ;; *) __ipvsadm_split "$__ipvsadm_words" ' ' ;; esac
    fi
    __ipvsadm_offer all cmd
    return 0
  fi
  case $cur in -*) __ipvsadm_offer "$ctx"; return 0 ;; esac
  __ipvsadm_actions "$ctx"
  if [ -n "$__ipvsadm_r" ] && [ -z "$act" ]; then __ipvsadm_split "$__ipvsadm_r" ' '; return 0; fi
  __ipvsadm_operands "$ctx"
  if [ -n "$__ipvsadm_r" ]; then __ipvsadm_values "$__ipvsadm_r"; return 0; fi
  __ipvsadm_offer "$ctx"
}

# the value of $exp: its kind after the command typed (none when the command refuses it)
__ipvsadm_expected() {
  local kind="$exk"
  if [ "$ctx" = all ] && [ -n "$cmd" ] && [ "$exp" != "$cmdopt" ]; then
    __ipvsadm_find "$exp" "c:$cmd" || return 0
    kind=$f_k
  fi
  __ipvsadm_values "$kind"
}

# the options of list $1 not given yet ($2 = cmd: its commands only), spelt as CUR asks
__ipvsadm_offer() {
  local rest e s l t k
  __ipvsadm_list "$1"
  rest="$__ipvsadm_r "
  while [ -n "$rest" ]; do
    e=\${rest%% *}
    rest=\${rest#* }
    [ -n "$e" ] || continue
    s=\${e%%,*}
    e=\${e#*,}
    l=\${e%%,*}
    e=\${e#*,}
    t=\${e%%,*}
    k=\${e#*,}
    case $2:$k in cmd:cmd*) ;; cmd:*) continue ;; esac
    case " $used " in *" $t "*) continue ;; esac
    case $cur in
      --*) __ipvsadm_add "$l" ;;
      *) __ipvsadm_add "\${s:-$l}" ;;
    esac
  done
}

# the candidates of a value kind
__ipvsadm_values() {
  local f
  case $1 in
    w:*) __ipvsadm_split "\${1#w:}" / ;;
    fw:*) __ipvsadm_split "\${1#fw:}" /; printf '%s\\n' __files__ ;;
    file) printf '%s\\n' __files__ ;;
    iface) for f in /sys/class/net/*; do if [ -e "$f" ]; then __ipvsadm_add "\${f##*/}"; fi; done ;;
    netns) __ipvsadm_ask netns ;;
    service:tcp) __ipvsadm_ask services --tcp-service ;;
    service:udp) __ipvsadm_ask services --udp-service ;;
    service:sctp) __ipvsadm_ask services --sctp-service ;;
    service:fwmark) __ipvsadm_ask services --fwmark-service ;;
    server) if [ -n "$svo" ]; then __ipvsadm_ask dests "$svo" "$svv" $v6; fi ;;
  esac
  return 0
}

# live values from the kernel: \`ipvsadm completion values ...\` (IPVSADM_COMPLETION_HELPER: another program), quiet on errors
__ipvsadm_ask() {
  local line
  if [ -n "$ns" ] && [ "$1" != netns ]; then set -- "$@" --netns "$ns"; fi
  "\${IPVSADM_COMPLETION_HELPER:-ipvsadm}" completion values "$@" </dev/null 2>/dev/null |
    while IFS= read -r line; do __ipvsadm_add "$line"; done
}
`;
