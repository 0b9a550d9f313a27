#!/usr/bin/env bash
# Integration test of `simile grid` on a real Slurm: a one-node cluster on localhost (munged, slurmctld, slurmd with
# their own key, socket, config, state and logs in a temporary folder), the generated sbatch pipeline (extraction
# array -> comparison array -> merge) for three models with 4 comparison shards, and a check that the merged outputs
# equal `simile grid run` on the same plan byte for byte. Every daemon it starts is stopped on exit, also on failure.
#
#   tests/slurm/run.sh [--hf-model DIR] [--simile "dotnet path/Simile.Cli.dll"] [--shards 4] [--keep]
#
# The third model is a tiny random BERT in Hugging Face layout that the test writes with the test suite's own
# checkpoint writer (tests/slurm/TinyCheckpoint); --hf-model uses another folder instead. .ci/run runs this script
# after the unit tests. Installs slurm-wlm and munge with apt-get when they are missing (needs root).
# Exit 0 on success; otherwise a one-line reason on stderr (prefixed "slurm-test: FAIL") and the relevant logs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
hf_model="" simile="" shards=4 keep=0
start_timeout=${SIMILE_SLURM_START_TIMEOUT:-60}    # seconds for the daemons to come up
job_timeout=${SIMILE_SLURM_JOB_TIMEOUT:-900}       # seconds for the whole pipeline
while [ $# -gt 0 ]; do
  case "$1" in
    --hf-model) hf_model="$2"; shift 2 ;;
    --simile) simile="$2"; shift 2 ;;
    --shards) shards="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "slurm-test: FAIL: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }
say() { echo "slurm-test: $*"; }

[ -z "$hf_model" ] || [ -f "$hf_model/config.json" ] || fail "--hf-model must name a Hugging Face folder with config.json"

# ---------------------------------------------------------------- packages
need=()
for tool in sbatch squeue scontrol sinfo scancel slurmctld slurmd; do command -v "$tool" >/dev/null || need=(slurm-wlm); done
for tool in munged mungekey; do command -v "$tool" >/dev/null || need+=(munge); done
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
  echo "slurm-test: SKIP: slurm-wlm/munge are not installed and this is not root (CI=true makes this a failure)"; exit 0
fi
if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
  echo "slurm-test: SKIP: the one-node cluster runs its daemons as root (SlurmUser=root); run as root (CI=true makes this a failure)"; exit 0
fi
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "slurm-wlm/munge are not installed and this is not root (run as root, or: apt-get install -y slurm-wlm munge)"
  say "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq slurm-wlm munge >/dev/null || fail "apt-get install slurm-wlm munge failed"
fi
[ "$(id -u)" = 0 ] || fail "the one-node cluster runs its daemons as root (SlurmUser=root); run this script as root"

# ---------------------------------------------------------------- simile
if [ -z "$simile" ]; then
  say "building the CLI"
  dotnet build "$repo/src/Simile.Cli/Simile.Cli.csproj" -c Release -nologo -v q >/dev/null || fail "dotnet build of src/Simile.Cli failed"
  simile="dotnet $repo/src/Simile.Cli/bin/Release/net10.0/Simile.Cli.dll"
fi

# ---------------------------------------------------------------- cluster
tmp=$(mktemp -d /tmp/simile-slurm.XXXXXX)
chmod 700 "$tmp"
pids_to_stop=()
cleanup() {
  local rc=$?
  set +e
  if [ -f "$tmp/slurm.conf" ] && [ -f "$tmp/slurmctld.pid" ]; then
    SLURM_CONF="$tmp/slurm.conf" timeout 10 scancel --quiet --full $(SLURM_CONF="$tmp/slurm.conf" timeout 10 squeue -h -o %A 2>/dev/null) 2>/dev/null
  fi
  for f in slurmd slurmctld munged; do
    [ -f "$tmp/$f.pid" ] || continue
    pid=$(cat "$tmp/$f.pid" 2>/dev/null)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  for f in slurmd slurmctld munged; do
    [ -f "$tmp/$f.pid" ] || continue
    pid=$(cat "$tmp/$f.pid" 2>/dev/null)
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  if [ $rc -ne 0 ]; then
    for log in "$tmp"/munged.log "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/plan/logs/*; do
      [ -s "$log" ] || continue
      echo "----- $log (last 30 lines)" >&2; tail -n 30 "$log" >&2
    done
  fi
  if [ $keep = 1 ] || [ $rc -ne 0 ]; then echo "slurm-test: work folder kept: $tmp" >&2; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$hf_model" ]; then
  hf_model="$tmp/tiny-bert"
  dotnet run --project "$repo/tests/slurm/TinyCheckpoint" -c Release -- "$hf_model" >/dev/null \
    || fail "could not write the tiny Hugging Face checkpoint (dotnet run --project tests/slurm/TinyCheckpoint)"
fi
# Words the tiny checkpoint's vocabulary knows (so its vectors differ), all single tokens for minilm and arctic-xs too.
printf 'word\tcategory\n' > "$tmp/words.tsv"
for w in the a it is was on sat ran run; do printf '%s\tfunction\n' "$w" >> "$tmp/words.tsv"; done
for w in cat dog mat galaxy star cafe; do printf '%s\tthing\n' "$w" >> "$tmp/words.tsv"; done
for w in big small red blue; do printf '%s\tproperty\n' "$w" >> "$tmp/words.tsv"; done

free_port() {
  local p
  for _ in $(seq 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && [ "$p" != "${1:-}" ]; then echo $p; return 0; fi
  done
  return 1
}
ctld_port=$(free_port) || fail "no free TCP port for slurmctld"
slurmd_port=$(free_port "$ctld_port") || fail "no free TCP port for slurmd"
node=$(hostname -s)
mkdir -p "$tmp/state" "$tmp/spool"

say "starting munged (own key and socket in $tmp)"
mungekey --create --keyfile="$tmp/munge.key" --force >/dev/null 2>&1 || dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
munged --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" --pid-file="$tmp/munged.pid" \
  --log-file="$tmp/munged.log" --seed-file="$tmp/munge.seed" || fail "munged did not start (see $tmp/munged.log)"
for _ in $(seq $((start_timeout * 10))); do [ -S "$tmp/munge.sock" ] && break; sleep 0.1; done
[ -S "$tmp/munge.sock" ] || fail "munged did not open its socket within ${start_timeout}s"

cat > "$tmp/slurm.conf" <<EOF
ClusterName=simile-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"

say "starting slurmctld (port $ctld_port) and slurmd (port $slurmd_port)"
slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start (see $tmp/slurmctld.log)"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start (see $tmp/slurmd.log)"
up=0
for _ in $(seq $((start_timeout * 2))); do
  state=$(timeout 5 sinfo -h -n "$node" -o %T 2>/dev/null | head -1 || true)
  case "$state" in idle|mixed|allocated) up=1; break ;; esac
  sleep 0.5
done
[ $up = 1 ] || fail "the node did not become idle within ${start_timeout}s (sinfo says '${state:-nothing}')"
say "cluster up: node $node idle, 2 CPUs"

# ---------------------------------------------------------------- the grid
plan="$tmp/plan" ref="$tmp/reference"
$simile grid plan -m minilm -m arctic-xs -m "$hf_model" --words "$tmp/words.tsv" --measures pearson,cka --permutations 200 --seed 7 \
  --shards "$shards" --out "$plan" >/dev/null || fail "simile grid plan failed"
$simile grid sbatch --plan "$plan" --simile "$simile" --cpus-per-task 1 --time 00:30:00 --throttle 4 >/dev/null \
  || fail "simile grid sbatch failed"
say "submitting $plan/slurm/submit.sh (3 extraction tasks, $shards comparison shards, 1 merge)"
if ! timeout "$job_timeout" "$plan/slurm/submit.sh" --wait; then
  squeue -h -o "%i %j %T %r" 2>/dev/null | sed 's/^/slurm-test: queue: /' >&2 || true
  fail "the sbatch pipeline did not finish successfully within ${job_timeout}s (job logs below)"
fi
for i in $(seq 0 $((shards - 1))); do
  [ -f "$plan/shards/$i-of-$shards.json" ] || fail "shard $i-of-$shards.json is missing after the pipeline"
done
[ -f "$plan/results.json" ] || fail "the merge job left no results.json"

say "running the same plan in one process (simile grid run)"
mkdir -p "$ref"
cp "$plan/plan.json" "$ref/plan.json"
$simile grid run --plan "$ref" >/dev/null || fail "simile grid run failed"

cmp "$plan/results.json" "$ref/results.json" || fail "results.json of the Slurm pipeline differs from simile grid run"
(cd "$plan/grids" && ls) > "$tmp/grids-slurm.txt"
(cd "$ref/grids" && ls) > "$tmp/grids-run.txt"
cmp "$tmp/grids-slurm.txt" "$tmp/grids-run.txt" || fail "the grid files of the Slurm pipeline differ in names from simile grid run"
for f in "$plan"/grids/*.csv; do cmp "$f" "$ref/grids/$(basename "$f")" || fail "$(basename "$f") differs"; done
pairs=$(grep -c "\"a\": {" "$plan/results.json" || true)
say "OK: merged results equal simile grid run byte for byte ($pairs pairs, $shards shards)"
if [ -n "${SIMILE_SLURM_RESULTS:-}" ]; then cp "$plan/results.json" "$SIMILE_SLURM_RESULTS"; fi
