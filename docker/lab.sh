#!/usr/bin/env bash
# spnkit lab: a real Active Directory (Samba AD DC) for spnkit's lab tests.
#
# Natively the DC runs inside the network namespace "spnlab" ($SPNLAB_NETNS; loopback only;
# /etc/netns/spnlab/{resolv.conf,hosts,krb5.conf} replace the machine's files for
# everything started with `ip netns exec spnlab`). In a container (Dockerfile in
# this folder, SPNLAB_MODE=container) the container is the namespace and the
# same functions write /etc directly.
#
#   lab.sh up                 provision (once), start the DC, seed (once)
#   lab.sh run CMD [ARG...]   run CMD in the lab with an Administrator TGT
#   lab.sh stop-dc|start-dc   stop/start only the samba process (fault tests)
#   lab.sh down [--purge]     stop, remove the namespace (--purge: the domain too)
#   lab.sh status             namespace, samba pid, ports (exit 1 if not all up)
#   lab.sh ldif OUT           LDIF export of the domain for offline tests
#   lab.sh env                export lines for the lab's variables
#   lab.sh serve              container entrypoint: up, then samba in foreground
#
# Hard rule: nothing here may send traffic outside 127.0.0.0/8 or ::1. The DC
# has no DNS forwarder (checked before every start) and every A record is 127.x.
set -euo pipefail
shopt -s globasciiranges

LAB_DIR=${SPNKIT_LAB_DIR:-/var/lib/spnkit-lab}
MODE=${SPNLAB_MODE:-netns}          # netns | container
NETNS=${SPNLAB_NETNS:-spnlab}      # a second, independent lab: SPNLAB_NETNS=x SPNKIT_LAB_DIR=/var/lib/x
REALM=CORP.TEST
DOMAIN=corp.test
NETBIOS_DOMAIN=CORP
BASEDN=DC=corp,DC=test
DC_NAME=dc1
DC_FQDN=$DC_NAME.$DOMAIN
DC_IP=127.0.0.1
LDAP_URI=ldap://$DC_FQDN

SMB_CONF=$LAB_DIR/etc/smb.conf
PRIVATE_DIR=$LAB_DIR/private
RUN_DIR=$LAB_DIR/run
LOG_DIR=$LAB_DIR/log
SAMBA_LOG=$LOG_DIR/samba.log
SEED_DIR=$LAB_DIR/seed
KRB5_CONF=$LAB_DIR/krb5.conf
CCACHE=FILE:$LAB_DIR/admin.ccache
ADMIN_PASS_FILE=$LAB_DIR/admin.pass
SERVICE_PASS_FILE=$LAB_DIR/service.pass
SEEDED_MARKER=$LAB_DIR/.seeded
SEEDING_MARKER=$LAB_DIR/.seeding
LAB_MARKER=$LAB_DIR/.spnkit-lab      # "this folder is ours" (down --purge checks it)
KRB5_CONF_CREATED_MARKER=$LAB_DIR/.created-etc-krb5.conf

PACKAGES=(samba samba-ad-dc samba-ad-provision winbind krb5-user ldap-utils
          ldb-tools python3-samba dnsutils iproute2 faketime)
PORTS=(389 3268 88 53)               # LDAP, Global Catalog, Kerberos, DNS
START_TIMEOUT=${SPNLAB_START_TIMEOUT:-120}
PREFORK_CHILDREN=2                   # per service; the machine has 2 cores
SYSTEM_PYTHON=/usr/bin/python3       # has the samba bindings (a pyenv python may not)

# Names used by the seed data: CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
# (U+0456) and ZERO WIDTH SPACE (U+200B), as UTF-8 bytes so the locale does not matter.
CYRILLIC_I=$'\xd1\x96'
ZERO_WIDTH_SPACE=$'\xe2\x80\x8b'

# ---------------------------------------------------------------- helpers

T0_US=${EPOCHREALTIME//[!0-9]/}

elapsed() {
    local us=$(( ${EPOCHREALTIME//[!0-9]/} - T0_US ))
    printf '%d.%d' $(( us / 1000000 )) $(( us / 100000 % 10 ))
}

say() { printf '[%6ss] %s\n' "$(elapsed)" "$*"; }
warn() { printf 'lab.sh: warning: %s\n' "$*" >&2; }
die() { printf 'lab.sh: error: %s\n' "$*" >&2; exit 1; }

# Run a command where the lab lives: inside the namespace, or as is in a container.
in_lab() {
    if [[ $MODE == container ]]; then
        "$@"
    else
        ip netns exec "$NETNS" "$@"
    fi
}

# The folder whose resolv.conf, hosts and krb5.conf the lab's programs see.
lab_etc_dir() {
    if [[ $MODE == container ]]; then echo /etc; else echo "/etc/netns/$NETNS"; fi
}

namespace_exists() {
    [[ $MODE == container ]] || [[ -e /run/netns/$NETNS ]]
}

# The variables every lab command gets (run) and `env` prints.
lab_variables() {
    cat <<EOF
SPNKIT_LAB_DIR=$LAB_DIR
KRB5CCNAME=$CCACHE
SPNLAB_REALM=$REALM
SPNLAB_DOMAIN=$DOMAIN
SPNLAB_BASEDN=$BASEDN
SPNLAB_DC=$DC_FQDN
SPNLAB_NETNS=$NETNS
SPNLAB_ADMIN_PASSWORD_FILE=$ADMIN_PASS_FILE
SPNLAB_SERVICE_PASSWORD_FILE=$SERVICE_PASS_FILE
EOF
}

# ldapsearch/ldapadd/ldapmodify over the sealed GSSAPI bind, as Administrator.
# -N (SASL_NOCANON): without it libldap reverse-resolves 127.0.0.1.
lab_ldap() {
    local tool=$1; shift
    in_lab env KRB5CCNAME="$CCACHE" "$tool" -Q -N -Y GSSAPI -H "$LDAP_URI" "$@"
}

# samba-tool against the running DC, authenticated as Administrator (the
# password travels in PASSWD, which samba's credential code reads, not in argv).
lab_samba_tool() {
    in_lab env PASSWD="$(cat "$ADMIN_PASS_FILE")" \
        samba-tool "$@" -s "$SMB_CONF" -U Administrator
}

random_password() {   # meets AD complexity: upper, lower, digit, punctuation
    printf 'Lab-%s-7x!' "$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"
}

take_lock() {
    mkdir -p "$LAB_DIR"
    exec 9>"$LAB_DIR/.lock"
    flock -w 300 9 || die "another lab.sh holds $LAB_DIR/.lock"
}

# ---------------------------------------------------------------- packages

ensure_packages() {
    local missing=() pkg
    for pkg in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    if (( ${#missing[@]} == 0 )); then
        say "packages: all present"
        return
    fi
    say "packages: installing ${missing[*]}"
    # The lab runs its own samba; the distribution's services must not start
    # (nmbd would broadcast on the machine's network). policy-rc.d stops
    # invoke-rc.d from starting them during the install.
    local own_policy=no
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        own_policy=yes
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ $own_policy == yes ]]; then rm -f /usr/sbin/policy-rc.d; fi
    if [[ -d /run/systemd/system ]]; then
        systemctl disable --now smbd nmbd winbind samba-ad-dc >/dev/null 2>&1 || true
    fi
    say "packages: installed"
}

# ---------------------------------------------------------------- network

write_krb5_conf() {
    cat <<EOF
# spnkit lab: KDCs are found through DNS SRV records, as on a domain member.
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = true
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false

[domain_realm]
	.$DOMAIN = $REALM
	$DOMAIN = $REALM
EOF
}

setup_network() {
    local etc
    etc=$(lab_etc_dir)
    mkdir -p "$etc" "$LAB_DIR"
    if [[ $MODE == netns ]]; then
        [[ -e /run/netns/$NETNS ]] || ip netns add "$NETNS"
        ip netns exec "$NETNS" ip link set lo up
        # `ip netns exec` bind-mounts /etc/netns/NAME/FILE only over an existing
        # /etc/FILE. krb5-user does not create /etc/krb5.conf, so give it an
        # empty one (for MIT krb5 the same as none) and remember we did.
        if [[ ! -e /etc/krb5.conf ]]; then
            : > /etc/krb5.conf
            : > "$KRB5_CONF_CREATED_MARKER"
        fi
    fi
    printf 'nameserver %s\nsearch %s\n' "$DC_IP" "$DOMAIN" > "$etc/resolv.conf"
    printf '127.0.0.1 localhost\n%s %s %s\n' "$DC_IP" "$DC_FQDN" "$DC_NAME" > "$etc/hosts"
    write_krb5_conf > "$etc/krb5.conf"
    write_krb5_conf > "$KRB5_CONF"
    if [[ $MODE == netns ]]; then
        say "network: namespace $NETNS (lo up), /etc/netns/$NETNS/{resolv.conf,hosts,krb5.conf}"
    else
        say "network: container /etc/{resolv.conf,hosts,krb5.conf} written"
    fi
}

# ---------------------------------------------------------------- provision

provision_domain() {
    if [[ -f $SMB_CONF ]]; then
        say "provision: $REALM already provisioned in $LAB_DIR"
        return
    fi
    mkdir -p "$LAB_DIR" "$RUN_DIR" "$LOG_DIR"
    : > "$LAB_MARKER"
    ( umask 077; random_password > "$ADMIN_PASS_FILE"; random_password > "$SERVICE_PASS_FILE" )
    # -s /dev/null: start from Samba's defaults, not from the machine's
    # /etc/samba/smb.conf (provision copies its [global] options otherwise).
    # xattr_tdb keeps sysvol's NT ACLs in a tdb: setting security.NTACL
    # xattrs needs CAP_SYS_ADMIN, which a default Docker container lacks
    # (measured with setpriv dropping it: provision fails in setntacl).
    in_lab samba-tool domain provision -s /dev/null \
        --realm="$REALM" --domain="$NETBIOS_DOMAIN" --server-role=dc \
        --dns-backend=SAMBA_INTERNAL \
        --targetdir="$LAB_DIR" --host-name="$DC_NAME" --host-ip="$DC_IP" \
        --adminpass="$(cat "$ADMIN_PASS_FILE")" \
        --option="interfaces=lo" \
        --option="bind interfaces only=yes" \
        --option="dns forwarder=" \
        --option="pid directory=$RUN_DIR" \
        --option="log file=$SAMBA_LOG" \
        --option="max log size=10000" \
        --option="prefork children=$PREFORK_CHILDREN" \
        --option="winbindd socket directory=$RUN_DIR/winbindd" \
        --option="ncalrpc dir=$RUN_DIR/ncalrpc" \
        --option="ntp signd socket directory=$RUN_DIR/ntp_signd" \
        --option="vfs objects=dfs_samba4 acl_xattr xattr_tdb" \
        --option="xattr_tdb:file=$LAB_DIR/state/xattr.tdb" \
        > "$LOG_DIR/provision.log" 2>&1 \
        || { tail -n 20 "$LOG_DIR/provision.log" >&2; die "provision failed (log: $LOG_DIR/provision.log)"; }
    # An empty forwarder: names outside the lab's zones get NXDOMAIN and nothing
    # leaves the machine. Provision copies the resolver into "dns forwarder"
    # unless told otherwise, and leaves the option out when it is empty: write it.
    sed -i -e '/^[[:space:]]*dns forwarder[[:space:]]*=/d' \
        -e 's/^\[global\]$/[global]\n\tdns forwarder =/' "$SMB_CONF"
    # Lab passwords never expire (the lab may live for months).
    samba-tool domain passwordsettings set -s "$SMB_CONF" -H "$PRIVATE_DIR/sam.ldb" \
        --max-pwd-age=0 >> "$LOG_DIR/provision.log" 2>&1
    say "provision: $REALM (dc $DC_FQDN, $DC_IP) in $LAB_DIR"
}

# ---------------------------------------------------------------- samba

check_no_forwarder() {
    local fwd
    mkdir -p "$LAB_DIR/cache"   # testparm fails without it
    fwd=$(testparm -s --parameter-name='dns forwarder' "$SMB_CONF" 2>/dev/null) \
        || die "testparm cannot read $SMB_CONF"
    fwd=${fwd//[[:space:]]/}
    [[ -z $fwd ]] || die "$SMB_CONF has 'dns forwarder = $fwd'; the lab must not forward DNS"
}

samba_pid() {   # prints the pid of the running samba master, fails if none
    local pid
    pid=$(cat "$RUN_DIR/samba.pid" 2>/dev/null) || return 1
    pid=${pid//[!0-9]/}
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null \
        && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == samba ]] && echo "$pid"
}

samba_command() {
    SAMBA_CMD=(samba -s "$SMB_CONF" -M prefork)
}

ports_open() {   # all of PORTS accept a TCP connection, and DNS answers
    # shellcheck disable=SC2016  # expanded by the inner bash
    in_lab bash -c '
        for port in "$@"; do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || exit 1
        done' _ "${PORTS[@]}" \
    && in_lab host -W 1 -t SOA "$DOMAIN" "$DC_IP" >/dev/null 2>&1
}

wait_ready() {
    local deadline=$(( SECONDS + START_TIMEOUT )) started=$SECONDS
    until ports_open; do
        if (( SECONDS >= deadline )); then
            tail -n 40 "$SAMBA_LOG" >&2 2>/dev/null || true
            die "samba did not answer on ports ${PORTS[*]} within ${START_TIMEOUT}s (log: $SAMBA_LOG)"
        fi
        if (( SECONDS - started > 5 )) && ! samba_pid >/dev/null; then
            tail -n 40 "$SAMBA_LOG" >&2 2>/dev/null || true
            die "samba exited during start (log: $SAMBA_LOG)"
        fi
        sleep 0.2
    done
}

prepare_samba_start() {
    check_no_forwarder
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    rm -f "$RUN_DIR"/*.pid
    samba_command
}

start_samba() {
    if samba_pid >/dev/null; then
        say "samba: already running (pid $(samba_pid))"
        return
    fi
    prepare_samba_start
    # 9>&-: the daemon must not inherit (and hold forever) the lab lock.
    in_lab "${SAMBA_CMD[@]}" -D </dev/null >>"$LOG_DIR/samba-console.log" 2>&1 9>&- \
        || die "samba failed to start (log: $SAMBA_LOG)"
    wait_ready
    say "samba: running (pid $(samba_pid)), ports ${PORTS[*]} answer"
}

stop_samba() {
    local pid pidfile i
    pid=$(samba_pid) || { say "samba: not running"; return 0; }
    kill -TERM "$pid"
    for (( i = 0; i < 100; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    # samba's helpers (smbd, winbindd) follow their parent; make sure, by pid.
    for pidfile in "$RUN_DIR"/samba.pid "$RUN_DIR"/smbd.pid "$RUN_DIR"/winbindd.pid; do
        pid=$(cat "$pidfile" 2>/dev/null) || continue
        pid=${pid//[!0-9]/}
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    rm -f "$RUN_DIR"/*.pid
    say "samba: stopped"
}

# ---------------------------------------------------------------- credentials

# A valid Administrator TGT in the lab ccache: kinit when it is missing,
# expired or older than 8 hours (Samba's tickets last 10). The ccache's mtime
# moves whenever a command stores a service ticket, so the TGT's age is kept
# in a stamp file. A lock keeps parallel `lab.sh run` from racing on kinit.
ensure_admin_ticket() {
    local stamp=$LAB_DIR/admin.ccache.kinit
    tgt_is_fresh() {
        in_lab env KRB5CCNAME="$CCACHE" klist -s 2>/dev/null \
            && [[ -f $stamp && -z $(find "$stamp" -mmin +480) ]]
    }
    tgt_is_fresh && return 0
    (
        flock -w 60 8 || exit 1
        tgt_is_fresh && exit 0
        in_lab env KRB5CCNAME="$CCACHE" kinit "Administrator@$REALM" \
            < "$ADMIN_PASS_FILE" > "$LOG_DIR/kinit.log" 2>&1 \
            || { cat "$LOG_DIR/kinit.log" >&2; exit 1; }
        touch "$stamp"
    ) 8>"$LAB_DIR/.kinit.lock"
}

# The DC's own A record: provision leaves loopback addresses out of DNS, and
# MIT krb5 (dns_lookup_kdc) then cannot reach the KDC that the SRV names.
add_dc_record() {
    if in_lab host -W 1 -t A "$DC_FQDN" "$DC_IP" 2>/dev/null | grep -q "has address $DC_IP"; then
        say "dns: $DC_FQDN A $DC_IP present"
        return
    fi
    lab_samba_tool dns add "$DC_IP" "$DOMAIN" "$DC_NAME" A "$DC_IP" >/dev/null
    say "dns: added $DC_FQDN A $DC_IP"
}

# ---------------------------------------------------------------- seed data
# LDIF writers. Values that are not printable ASCII (or start with a space,
# ':' or '<') are base64-encoded as RFC 2849 requires.

attr() {
    local name=$1 value=$2
    if [[ $value == *[!\ -~]* || $value == [\ :\<]* ]]; then
        printf '%s:: %s\n' "$name" "$(printf '%s' "$value" | base64 -w0)"
    else
        printf '%s: %s\n' "$name" "$value"
    fi
}

# Every seeded account gets its own password, "<service.pass>.<sAMAccountName
# without $>", so keys differ between accounts (identical passwords would give
# every account the same RC4 key) and tests can still derive a password.
account_password() {
    printf '%s.%s' "$(cat "$SERVICE_PASS_FILE")" "${1%\$}"
}

password_attr() {   # unicodePwd: the quoted password in UTF-16LE
    printf 'unicodePwd:: %s\n' \
        "$(printf '"%s"' "$(account_password "$1")" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)"
}

organizational_unit() {
    printf 'dn: OU=%s,%s\nobjectClass: organizationalUnit\n\n' "$1" "$BASEDN"
}

# computer NAME CONTAINER [--no-default-spns] [ATTR=VALUE...]
# A computer account (UAC 4096, WORKSTATION_TRUST_ACCOUNT) with a password,
# dNSHostName name.corp.test and HOST/ + RestrictedKrbHost/ SPNs for both names.
computer() {
    local name=$1 container=$2; shift 2
    local host=${name,,}.$DOMAIN default_spns=yes kv
    if [[ ${1-} == --no-default-spns ]]; then default_spns=no; shift; fi
    echo "dn: CN=$name,$container,$BASEDN"
    echo "objectClass: computer"
    attr sAMAccountName "$name\$"
    attr userAccountControl 4096
    attr dNSHostName "$host"
    if [[ $default_spns == yes ]]; then
        attr servicePrincipalName "HOST/$name"
        attr servicePrincipalName "HOST/$host"
        attr servicePrincipalName "RestrictedKrbHost/$name"
        attr servicePrincipalName "RestrictedKrbHost/$host"
    fi
    for kv in "$@"; do attr "${kv%%=*}" "${kv#*=}"; done
    password_attr "$name"
    echo
}

# user SAM UAC ENCTYPES|- [SPN...]   (in OU=Service Accounts)
user() {
    local sam=$1 uac=$2 enctypes=$3 spn; shift 3
    echo "dn: CN=$sam,OU=Service Accounts,$BASEDN"
    echo "objectClass: user"
    attr sAMAccountName "$sam"
    attr userPrincipalName "$sam@$DOMAIN"
    attr userAccountControl "$uac"
    [[ $enctypes == - ]] || attr msDS-SupportedEncryptionTypes "$enctypes"
    for spn in "$@"; do attr servicePrincipalName "$spn"; done
    password_attr "$sam"
    echo
}

# Everything the DC accepts over LDAP (its SPN uniqueness check passes).
accounts_ldif() {
    local servers="OU=Servers" computers="CN=Computers" i bulk=()
    organizational_unit "Service Accounts"
    organizational_unit "Servers"

    # 1. healthy computers (1, 5, 6, 7 add to some of them)
    computer WS01  "$computers"
    computer WS02  "$computers"
    computer FS1   "$servers" "msDS-AdditionalDnsHostName=files-new.$DOMAIN" \
                              "servicePrincipalName=HOST/files-new.$DOMAIN"   # 5: healthy twin
    computer FS2   "$servers" "servicePrincipalName=cifs/fs2.$DOMAIN"         # 3b: + svc_backup
    computer FS3   "$servers" "servicePrincipalName=HOST/127.0.0.61" \
                              "servicePrincipalName=cifs/127.0.0.61"          # 7: IP SPNs
    computer APP03 "$servers"                                                 # 10: shadowed by svc_app03
    computer WEB01 "$servers" "msDS-AdditionalDnsHostName=app07-alt.$DOMAIN"  # 5: no HOST/ for it
    computer NODE1 "$servers" "servicePrincipalName=http/lb.$DOMAIN"          # 6: VIP on a node
    computer NODE2 "$servers"
    computer NODE3 "$servers"
    computer NODE4 "$servers"
    # 5. renamed: dNSHostName app07.corp.test, SPNs still for the old name
    computer APP07 "$servers" --no-default-spns \
        "servicePrincipalName=HOST/APP07OLD" "servicePrincipalName=HOST/app07old.$DOMAIN"

    # 2. service accounts
    user svc_web     512 - "http/web01.$DOMAIN" http/web01 "http/portal.$DOMAIN" \
                           http/2001:db8::15                                  # 7: IPv6 literal
    user svc_web8080 512 - "http/web01.$DOMAIN:8080"                          # port: not a duplicate
    user svc_sql     512 - "MSSQLSvc/sql1.$DOMAIN:1433" "MSSQLSvc/sql1.$DOMAIN:SQLPROD"

    # 3. the first holder of each duplicate (the others: duplicates_ldif)
    user svc_app1    512 - "http/app.$DOMAIN"
    user svc_app2    512 -
    user svc_backup  512 -
    user svc_sqla    512 - "MSSQLSvc/sqlclu.$DOMAIN:1433"
    user svc_sqlb    512 -
    user svc_sqlc    512 -

    # 4. 1600 SPNs on one account (beyond AD's MaxValRange of 1500)
    for (( i = 1; i <= 1600; i++ )); do bulk+=("$(printf 'http/bulk%04d.%s' "$i" "$DOMAIN")"); done
    user svc_bulk    512 - "${bulk[@]}"

    # 6. VIP served by a shared service account (info)
    user svc_lb2     512 - "http/lb2.$DOMAIN"
    # 8. ghost SPNs: no DNS name, no computer; a name outside the forest
    user svc_ghost   512 - "http/ghost.$DOMAIN" http/gone.example.org
    # 9. encryption types: RC4 only, DES only, AES, attribute absent
    user svc_rc4     512 4  "http/rc4app.$DOMAIN"
    user svc_des     512 3  "http/desapp.$DOMAIN"
    user svc_aes     512 24 "http/aesapp.$DOMAIN"
    user svc_unset   512 -  "http/unsetapp.$DOMAIN"
    # 10. cifs/ on a user while APP03$ holds HOST/ for the same name
    user svc_app03   512 - "cifs/app03.$DOMAIN"
    # 11. lookalikes: Cyrillic i, zero-width space; svc_look5 is the healthy twin
    user svc_look1   512 - "http/intranet.$DOMAIN"
    user svc_look2   512 - "http/${CYRILLIC_I}ntranet.$DOMAIN"
    user svc_look3   512 - "http/pay${ZERO_WIDTH_SPACE}roll.$DOMAIN"
    user svc_look4   512 - "http/payroll.$DOMAIN"
    user svc_look5   512 - "http/intranet2.$DOMAIN"
    # 12. disabled account (UAC 514 = NORMAL_ACCOUNT | ACCOUNTDISABLE)
    user svc_disabled 514 - "http/old.$DOMAIN"
}

# Samba 4.17 quirk (measured): adding svc/NAME to a user (http/web01.corp.test
# to svc_web) is accepted, but the DC then rewrites the computer's matching
# HOST/NAME in lower case ("HOST/web01.corp.test" becomes "host/web01.corp.test",
# a real modify: uSNChanged and the SPN's metadata version move). Adding the
# computer after the user is refused instead (samldb constraint violation).
# So computers go first, and afterwards get their SPNs back as written.
computer_spn_restore_ldif() {
    awk '
        /^dn: /                    { dn = $0; spns = ""; computer = 0; next }
        /^objectClass: computer$/  { computer = 1 }
        /^servicePrincipalName::? / { spns = spns $0 "\n" }
        /^$/ {
            if (computer && spns != "")
                printf "%s\nchangetype: modify\nreplace: servicePrincipalName\n%s-\n\n", dn, spns
            computer = 0; spns = ""
        }' "$1"
}

# Duplicates: the DC refuses them over LDAP ("samldb: spn[...] would cause a
# conflict"), so they are written to the domain partition's ldb file with
# ldbmodify, below Samba's module stack (works while samba runs).
duplicates_ldif() {
    local sam spn
    while read -r sam spn; do
        printf 'dn: CN=%s,OU=Service Accounts,%s\nchangetype: modify\nadd: servicePrincipalName\n' "$sam" "$BASEDN"
        attr servicePrincipalName "$spn"
        printf -- '-\n\n'
    done <<EOF
svc_app2   HTTP/APP.${DOMAIN^^}
svc_backup cifs/fs2.$DOMAIN
svc_sqlb   MSSQLSvc/sqlclu.$DOMAIN:1433
svc_sqlc   MSSQLSvc/sqlclu.$DOMAIN:1433
EOF
}

# AD-integrated DNS records, written with samba-tool (DNS RPC) like an admin would.
# ZONE NAME TYPE DATA. Every address is 127.x.
DNS_RECORDS="
$DOMAIN ws01   A     127.0.0.11
$DOMAIN ws02   A     127.0.0.12
$DOMAIN fs1    A     127.0.0.21
$DOMAIN fs2    A     127.0.0.22
$DOMAIN fs3    A     127.0.0.61
$DOMAIN app03  A     127.0.0.31
$DOMAIN web01  A     127.0.0.41
$DOMAIN node1  A     127.0.0.51
$DOMAIN node2  A     127.0.0.52
$DOMAIN node3  A     127.0.0.53
$DOMAIN node4  A     127.0.0.54
$DOMAIN app07  A     127.0.0.37
$DOMAIN files  CNAME fs1.$DOMAIN
$DOMAIN portal CNAME web01.$DOMAIN
$DOMAIN lb     A     127.0.0.51
$DOMAIN lb     A     127.0.0.52
$DOMAIN lb2    A     127.0.0.53
$DOMAIN lb2    A     127.0.0.54
$DOMAIN dc0    A     127.0.0.9
_msdcs.$DOMAIN _ldap._tcp.dc SRV dc0.$DOMAIN 389 0 0
"

seed_dns() {
    local zone name type data
    while read -r zone name type data; do
        [[ -n $zone ]] || continue
        if [[ $type == A && $data != 127.* ]]; then
            die "refusing A record $name -> $data: lab addresses must be 127.x"
        fi
        lab_samba_tool dns add "$DC_IP" "$zone" "$name" "$type" "$data" >/dev/null
    done <<< "$DNS_RECORDS"
}

# A dnsRecord value (MS-DNSP DNS_RPC_RECORD) for a CNAME, base64, packed by
# Samba's own NDR code.
cname_record_b64() {
    "$SYSTEM_PYTHON" - "$1" <<'EOF'
import base64, sys
from samba.dcerpc import dnsp
from samba.ndr import ndr_pack
rec = dnsp.DnssrvRpcRecord()
rec.wType = dnsp.DNS_TYPE_CNAME
rec.rank = dnsp.DNS_RANK_ZONE
rec.dwSerial = 1
rec.dwTtlSeconds = 900
rec.data = sys.argv[1]
print(base64.b64encode(ndr_pack(rec)).decode())
EOF
}

# The pre-2003 ("legacy") DNS container CN=MicrosoftDNS,CN=System exists after
# provision, empty. Samba accepts a dnsZone and dnsNode there over plain LDAP
# (no bypass needed), but its DNS server neither serves nor lists that zone:
# the record exists only in the directory, like a leftover on a real domain.
legacy_dns_ldif() {
    local zone_dn="DC=$DOMAIN,CN=MicrosoftDNS,CN=System,$BASEDN"
    printf 'dn: %s\nobjectClass: dnsZone\n\n' "$zone_dn"
    printf 'dn: DC=legacy-alias,%s\nobjectClass: dnsNode\n' "$zone_dn"
    printf 'dnsRecord:: %s\n\n' "$(cname_record_b64 "fs1.$DOMAIN")"
}

seed() {
    if [[ -f $SEEDED_MARKER ]]; then
        say "seed: already seeded ($(cat "$SEEDED_MARKER"))"
        return
    fi
    if [[ -f $SEEDING_MARKER ]]; then
        die "an earlier seed stopped half-way; start over: lab.sh down --purge && lab.sh up"
    fi
    : > "$SEEDING_MARKER"
    mkdir -p "$SEED_DIR"

    accounts_ldif > "$SEED_DIR/accounts.ldif"
    lab_ldap ldapadd -f "$SEED_DIR/accounts.ldif" > "$LOG_DIR/seed-accounts.log"
    say "seed: accounts added over LDAP ($(grep -c '^dn: ' "$SEED_DIR/accounts.ldif") entries, $(grep -c '^servicePrincipalName' "$SEED_DIR/accounts.ldif") SPNs)"
    computer_spn_restore_ldif "$SEED_DIR/accounts.ldif" > "$SEED_DIR/computer-spns.ldif"
    lab_ldap ldapmodify -f "$SEED_DIR/computer-spns.ldif" > "$LOG_DIR/seed-computer-spns.log"
    say "seed: computer SPNs restored as written (Samba lower-cases HOST/ aliases)"

    local partition="$PRIVATE_DIR/sam.ldb.d/${BASEDN^^}.ldb"
    [[ -f $partition ]] || die "domain partition file not found: $partition"
    duplicates_ldif > "$SEED_DIR/duplicates.ldif"
    ldbmodify -H "$partition" "$SEED_DIR/duplicates.ldif" > "$LOG_DIR/seed-duplicates.log"
    say "seed: duplicate SPNs written to $(basename "$partition") with ldbmodify"

    seed_dns
    legacy_dns_ldif > "$SEED_DIR/legacy-dns.ldif"
    lab_ldap ldapadd -f "$SEED_DIR/legacy-dns.ldif" > "$LOG_DIR/seed-legacy-dns.log"
    say "seed: DNS records added ($(grep -c . <<< "$DNS_RECORDS") with samba-tool, legacy-alias over LDAP)"

    date -u +%Y-%m-%dT%H:%M:%SZ > "$SEEDED_MARKER"
    rm -f "$SEEDING_MARKER"
}

# ---------------------------------------------------------------- commands

# What up and serve do once samba answers.
setup_running_dc() {
    add_dc_record
    ensure_admin_ticket || die "kinit as Administrator failed (log: $LOG_DIR/kinit.log)"
    say "kerberos: Administrator TGT in $CCACHE"
    seed
}

cmd_up() {
    take_lock
    ensure_packages
    setup_network
    provision_domain
    start_samba
    setup_running_dc
    say "lab up: $REALM at $DC_FQDN ($DC_IP) in $(elapsed)s"
}

# Container entrypoint: the container is the namespace; samba stays in the
# foreground as this script's child so `docker stop` reaches it.
cmd_serve() {
    [[ $MODE == container ]] || die "serve is the container entrypoint (SPNLAB_MODE=container); use 'lab.sh up' on a host"
    ensure_packages
    setup_network
    provision_domain
    prepare_samba_start
    "${SAMBA_CMD[@]}" -F </dev/null >>"$LOG_DIR/samba-console.log" 2>&1 &
    local child=$!
    trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
    wait_ready
    say "samba: running (pid $child), ports ${PORTS[*]} answer"
    setup_running_dc
    say "lab serving: $REALM at $DC_FQDN; run tools with: docker compose exec lab /lab.sh run CMD"
    local rc=0
    wait "$child" || rc=$?
    if kill -0 "$child" 2>/dev/null; then   # woken by a signal: wait for samba to finish
        rc=0; wait "$child" || rc=$?
    fi
    exit "$rc"
}

require_lab() {
    [[ -f $SMB_CONF ]] || die "no lab in $LAB_DIR: run 'lab.sh up' first"
    namespace_exists || die "namespace $NETNS does not exist: run 'lab.sh up' first"
}

cmd_run() {
    (( $# >= 1 )) || die "usage: lab.sh run CMD [ARG...]"
    require_lab
    if ! ensure_admin_ticket 2>/dev/null; then
        warn "no Administrator ticket (is the DC stopped?); running without one"
    fi
    local line
    while IFS= read -r line; do export "${line?}"; done < <(lab_variables)
    if [[ $MODE == container ]]; then
        exec "$@"
    fi
    exec ip netns exec "$NETNS" "$@"
}

cmd_stop_dc() {
    take_lock
    require_lab
    stop_samba
}

cmd_start_dc() {
    take_lock
    require_lab
    start_samba
}

cmd_down() {
    local purge=no
    case ${1-} in
        --purge) purge=yes ;;
        "") ;;
        *) die "usage: lab.sh down [--purge]" ;;
    esac
    take_lock
    if [[ -f $SMB_CONF ]]; then stop_samba; fi
    if [[ $MODE == netns ]]; then
        local pid
        if [[ -e /run/netns/$NETNS ]]; then
            for pid in $(ip netns pids "$NETNS"); do   # whatever is left in the lab
                kill -TERM "$pid" 2>/dev/null || true
            done
            ip netns del "$NETNS"
        fi
        rm -rf "/etc/netns/$NETNS"
        if [[ -f $KRB5_CONF_CREATED_MARKER && ! -s /etc/krb5.conf ]]; then
            rm -f /etc/krb5.conf "$KRB5_CONF_CREATED_MARKER"
        fi
        say "down: namespace $NETNS removed"
    fi
    if [[ $purge == yes ]]; then
        if [[ -d $LAB_DIR && ! -f $LAB_MARKER ]]; then
            die "$LAB_DIR does not look like a spnkit lab ($LAB_MARKER missing); not deleting it"
        fi
        rm -rf "$LAB_DIR"
        say "down: $LAB_DIR deleted"
    fi
}

cmd_status() {
    local ok=0 pid port states=()
    if namespace_exists; then
        if [[ $MODE == container ]]; then echo "namespace: container"; else echo "namespace: $NETNS present"; fi
    else
        echo "namespace: $NETNS absent"; ok=1
    fi
    if pid=$(samba_pid); then echo "samba: pid $pid"; else echo "samba: not running"; ok=1; fi
    for port in "${PORTS[@]}"; do
        if namespace_exists && in_lab bash -c "(exec 3<>/dev/tcp/127.0.0.1/$port)" 2>/dev/null; then
            states+=("$port open")
        else
            states+=("$port closed"); ok=1
        fi
    done
    local IFS=,
    echo "ports: ${states[*]}"
    return "$ok"
}

# One partition's part of the export. A subtree search of the domain also
# returns the other partitions as continuation references ("# refldap://...",
# printed even with -LLL): they are dropped.
export_partition() {
    lab_ldap ldapsearch -LLL -E pr=1000/noprompt -b "$1" \
        '(|(servicePrincipalName=*)(objectClass=computer)(objectClass=dnsNode))' \
        dn objectClass sAMAccountName userAccountControl dNSHostName \
        msDS-AdditionalDnsHostName servicePrincipalName \
        msDS-SupportedEncryptionTypes name dnsRecord dNSTombstoned \
    | awk '/^# refldap:/ { skip = 1; next } skip && /^$/ { skip = 0; next } { skip = 0; print }'
}

# LDIF export for offline tests. Samba 4.17 does not enforce MaxValRange: a
# plain request for servicePrincipalName returns all 1600 values of svc_bulk
# in one attribute (measured); "servicePrincipalName;range=0-1499" and
# ";range=1500-*" are honoured when asked for (1500 + 100 values). Windows DCs
# would send ";range=0-1499" unasked, so the export refuses ranged attributes
# rather than write an incomplete file.
cmd_ldif() {
    (( $# == 1 )) || die "usage: lab.sh ldif OUT"
    local out=$1 tmp base
    require_lab
    samba_pid >/dev/null || die "samba is not running: run 'lab.sh start-dc' or 'lab.sh up'"
    ensure_admin_ticket || die "kinit as Administrator failed (log: $LOG_DIR/kinit.log)"
    tmp=$(mktemp "${out}.XXXXXX")
    {
        echo "# spnkit lab export of $REALM (lab.sh ldif), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "# bases: $BASEDN, DC=DomainDnsZones,$BASEDN, DC=ForestDnsZones,$BASEDN,"
        echo "# and the sPNMappings of CN=Directory Service in the configuration"
        echo
    } > "$tmp"
    for base in "$BASEDN" "DC=DomainDnsZones,$BASEDN" "DC=ForestDnsZones,$BASEDN"; do
        export_partition "$base" >> "$tmp" || { rm -f "$tmp"; die "ldapsearch of $base failed"; }
    done
    # sPNMappings (HOST/ stands in for cifs/, http/, ...) from the configuration
    lab_ldap ldapsearch -LLL -s base \
        -b "CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,$BASEDN" \
        '(objectClass=*)' dn objectClass sPNMappings >> "$tmp" ||
        { rm -f "$tmp"; die "ldapsearch of sPNMappings failed"; }
    if grep -qi '^[a-z-]*;range=' "$tmp"; then
        rm -f "$tmp"
        die "the DC returned ranged attributes (;range=); the export would be incomplete"
    fi
    mv "$tmp" "$out"
    echo "wrote $out: $(grep -c '^dn: ' "$out") entries, $(grep -ci '^servicePrincipalName:' "$out") SPNs"
}

cmd_env() {
    local line value
    if [[ $MODE == container ]]; then
        echo "# spnkit lab (container). Run commands in it with: docker compose exec lab /lab.sh run CMD"
    else
        echo "# spnkit lab (namespace $NETNS). Run commands in it with: lab.sh run CMD (or: ip netns exec $NETNS CMD)"
    fi
    while IFS= read -r line; do
        value=${line#*=}
        printf "export %s='%s'\n" "${line%%=*}" "${value//\'/\'\\\'\'}"
    done < <(lab_variables)
}

usage() {
    sed -n '/^#   lab.sh/s/^#   //p' "$0"
    exit 2
}

main() {
    local cmd=${1-}
    (( $# > 0 )) && shift
    [[ $EUID -eq 0 ]] || [[ $cmd == env || $cmd == "" || $cmd == help ]] \
        || die "run as root (network namespaces, samba)"
    case $cmd in
        up)        cmd_up ;;
        serve)     cmd_serve ;;
        run)       cmd_run "$@" ;;
        stop-dc)   cmd_stop_dc ;;
        start-dc)  cmd_start_dc ;;
        down)      cmd_down "$@" ;;
        status)    cmd_status ;;
        ldif)      cmd_ldif "$@" ;;
        env)       cmd_env ;;
        *)         usage ;;
    esac
}

main "$@"
