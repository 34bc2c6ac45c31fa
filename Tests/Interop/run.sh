#!/bin/sh
# Real RocketMQ clients against a real three-node group: `make test-interop`.
# Usage: Tests/Interop/run.sh LEDGER_BINARY
#
# Creates .build/interop-venv with PyPI's rocketmq==0.4.4 (Apache rocketmq-client-cpp 1.0.1,
# bundled), then runs rocketmq_interop.py with HOME in a scratch directory (the C++ client writes
# its logs under $HOME/logs). Without network for pip the test is skipped with the reason printed,
# unless CI is set: there a skip would hide a broken front end, so it fails.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
ledger=$1
venv="$root/.build/interop-venv"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ledger-interop.XXXXXX")

skip() {
    if [ -n "${CI:-}" ]; then
        echo "test-interop: FAILED to set up: $1" >&2
        exit 1
    fi
    echo "test-interop: SKIPPED: $1"
    rm -rf "$scratch"
    exit 0
}

if ! "$venv/bin/python" -c "import rocketmq.client" >/dev/null 2>&1; then
    python3 -m venv "$venv" >"$scratch/venv.log" 2>&1 || skip "python3 -m venv failed: $(tail -n 1 "$scratch/venv.log")"
    "$venv/bin/pip" install --quiet --disable-pip-version-check rocketmq==0.4.4 >"$scratch/pip.log" 2>&1 ||
        skip "pip cannot install rocketmq==0.4.4 (no network?): $(tail -n 1 "$scratch/pip.log")"
fi

mkdir -p "$scratch/home"
if HOME="$scratch/home" timeout 240 "$venv/bin/python" "$root/Tests/Interop/rocketmq_interop.py" "$ledger" \
    "$scratch/group"; then
    rm -rf "$scratch"
    exit 0
fi
echo "test-interop: FAILED; node logs and the C++ client's logs are kept in $scratch" >&2
for log in "$scratch"/group/n*.log; do
    [ -f "$log" ] || continue
    echo "--- $log" >&2
    tail -n 20 "$log" >&2
done
exit 1
