# Sourced by the bench scripts: one way to time a command. Needs WORK (a scratch dir) and RUNS.
#   measure NAME CMD...  one warm-up run, then RUNS runs; prints a line and sets WALL and CPU
#                        (seconds, medians) and RSS (MB, max). Exit status above 1 is a failure
#                        (okdlint exits 1 on findings). Each run goes through a tiny C runner (fork,
#                        exec, wait4): its rusage is the command's alone, in microseconds (GNU time
#                        rounds to 10 ms; a Python or bash parent's fork would add its own pages).
#                        Wall is hyperfine's median when hyperfine is installed and a run takes
#                        under a second (its many short runs are steadier), else the runner's.
#   median               the median of the numbers on stdin, one a line
#   ratio A B            A / B with two decimals
cat > "$WORK/runner.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char** argv) {
  if (argc < 2) return 2;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  struct rusage ru;
  wait4(pid, &status, 0, &ru);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) return 1;
  printf("%.6f %.6f %ld\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
         ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6, ru.ru_maxrss);
  return 0;
}
C
cc -O2 -o "$WORK/runner" "$WORK/runner.c" || { echo "needs a C compiler (build-essential) for the bench runner" >&2; exit 2; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

measure() {
  local name=$1
  shift
  "$WORK/runner" "$@" > /dev/null || { echo "failed: $*" >&2; exit 1; }  # warm-up
  : > "$WORK/time.txt"
  for _ in $(seq "$RUNS"); do "$WORK/runner" "$@" >> "$WORK/time.txt" || { echo "failed: $*" >&2; exit 1; }; done
  WALL=$(awk '{ print $1 }' "$WORK/time.txt" | median)
  CPU=$(awk '{ print $2 }' "$WORK/time.txt" | median)
  RSS=$(awk '{ print $3 / 1024 }' "$WORK/time.txt" | sort -g | tail -1)
  if command -v hyperfine > /dev/null && awk -v w="$WALL" 'BEGIN { exit !(w < 1) }'; then
    hyperfine -N -i --runs "$RUNS" --warmup 1 --export-json "$WORK/hf.json" -- "$(printf '%q ' "$@")" > /dev/null 2>&1
    WALL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/hf.json")
  fi
  printf '  %-44s wall %9.2f ms   cpu %9.2f ms   peak rss %7.1f MB\n' "$name" "$(awk -v w="$WALL" 'BEGIN { print w * 1000 }')" \
    "$(awk -v c="$CPU" 'BEGIN { print c * 1000 }')" "$RSS"
}
