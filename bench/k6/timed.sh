#!/bin/bash
# Runs "$K6_TIMED_PROGRAM" (k6) with these arguments and then prints, as the last line of its stderr,
# the user and system CPU time of what it waited for: bash's `times` (getrusage of its children), so
# each k6 process's own CPU, exactly, even when two run at once (bench/lib-overhead.ts).
"$K6_TIMED_PROGRAM" "$@"
status=$?
times >&2
exit $status
