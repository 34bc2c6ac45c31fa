#!/bin/sh
# Real RocketMQ clients against a real three-node group: `make test-interop`.
# Usage: Tests/Interop/run.sh LEDGER_BINARY [1.0.1|2.1.0]...
#
# For each C++ client core named (default both), in a virtual environment under .build/, runs
# rocketmq_interop.py against a fresh group with HOME in a scratch directory (1.0.1 writes its
# logs under $HOME/logs, 2.1.0 under $ROCKETMQ_CLIENT_LOG_DIR, else /logs); for 1.0.1 then once
# more against a fresh group with the client ACL on (`acl`: signed requests with
# set_session_credentials, refusals of a wrong secret key and a DENY topic); then
# rocketmq_held.py against a fresh group with short held-message settings (`held`: a delay level
# 3 message consumed once no earlier than 10 s after its send, a failed message redelivered from
# the group's retry topic with reconsume_times 1 and 2, with 1.0.1 then dead-lettered and shown
# by `ledger pull --topic %DLQ%<group>`, and with 2.1.0 transactions committed, rolled back, and
# left unknown then checked back; about 15-20 s each):
#   1.0.1  rocketmq==0.4.4              Apache rocketmq-client-cpp 1.0.1 (SEND_MESSAGE 10)
#   2.1.0  rocketmq-python-cvs==2.1.0.3 rocketmq-client-cpp 2.1.0 (SEND_MESSAGE_V2 310, sends by
#          sharding key); it logs a group's retry topic as a printf format, so the script's
#          consumer group names are chosen for it (PRINTF_INERT in rocketmq_interop.py).
# Without network for pip a client is skipped with the reason printed, unless CI is set: there a
# skip would hide a broken front end, so it fails.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
ledger=$1
shift
status=0

# run_client LABEL PIP_SPEC VENV CORE [MODE], MODE acl (rocketmq_interop.py's) or held
# (rocketmq_held.py instead of rocketmq_interop.py)
run_client() {
    label=$1${5:+ ($5)}
    script=rocketmq_interop.py
    mode=${5:-}
    if [ "$mode" = held ]; then
        script=rocketmq_held.py
        mode=
    fi
    venv="$root/.build/$3"
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/ledger-interop.XXXXXX")
    if ! "$venv/bin/python" -c "import rocketmq.client" >/dev/null 2>&1; then
        if ! python3 -m venv "$venv" >"$scratch/venv.log" 2>&1; then
            skip "$label" "python3 -m venv failed: $(tail -n 1 "$scratch/venv.log")"
            return
        fi
        if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "$2" >"$scratch/pip.log" 2>&1; then
            skip "$label" "pip cannot install $2 (no network?): $(tail -n 1 "$scratch/pip.log")"
            return
        fi
    fi
    echo "test-interop: $label ($2)"
    mkdir -p "$scratch/home"
    if HOME="$scratch/home" ROCKETMQ_CLIENT_LOG_DIR="$scratch/home/logs/rocketmq-client" timeout 240 \
        "$venv/bin/python" "$root/Tests/Interop/$script" "$ledger" "$scratch/group" $4 $mode; then
        rm -rf "$scratch"
        return
    fi
    echo "test-interop: $label FAILED; node logs and the C++ client's logs are kept in $scratch" >&2
    for log in "$scratch"/group/n*.log; do
        [ -f "$log" ] || continue
        echo "--- $log" >&2
        tail -n 20 "$log" >&2
    done
    status=1
}

# skip LABEL REASON
skip() {
    rm -rf "$scratch"
    if [ -n "${CI:-}" ]; then
        echo "test-interop: $1 FAILED to set up: $2" >&2
        status=1
    else
        echo "test-interop: $1 SKIPPED: $2"
    fi
}

[ $# -gt 0 ] || set -- 1.0.1 2.1.0
for core in "$@"; do
    case $core in
    1.0.1)
        run_client "C++ client 1.0.1" rocketmq==0.4.4 interop-venv 1.0.1
        run_client "C++ client 1.0.1" rocketmq==0.4.4 interop-venv 1.0.1 acl
        run_client "C++ client 1.0.1" rocketmq==0.4.4 interop-venv 1.0.1 held
        ;;
    2.1.0)
        run_client "C++ client 2.1.0" rocketmq-python-cvs==2.1.0.3 interop-venv-cpp2 2.1.0
        run_client "C++ client 2.1.0" rocketmq-python-cvs==2.1.0.3 interop-venv-cpp2 2.1.0 held
        ;;
    *)
        echo "test-interop: unknown client core $core (1.0.1 or 2.1.0)" >&2
        status=1
        ;;
    esac
done
exit $status
