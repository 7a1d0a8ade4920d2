#!/bin/sh
# build-book.sh ATTEMPTS JUPYTER-BOOK-ARGS...
#
# Build the book (jupyter-book build JUPYTER-BOOK-ARGS..., through
# jupyter_book_build.py, which skips Python's slow clean-up at exit); while a
# notebook fails to execute, build again, until one page has failed ATTEMPTS times.
#
# Why: the pages check their claims about speed ("two threads are faster than
# one") with hidden asserts, on a build machine whose two cores are shared with
# other machines. Now and then the host takes a core away for a few seconds,
# and a claim that holds fails once. Notebooks that executed are kept in the
# jupyter cache, so a second attempt runs only the pages that failed; a claim
# that has really gone stale fails every attempt and fails the build.
#
# Before each page with code cells runs, the lesson extension also waits (up to
# 45 s) until a quick probe sees two free cores (parallel_patterns.tools.stamp).
#
# Only execution failures are retried. Between attempts the Sphinx environment
# is removed (not the jupyter cache), so every page is read again and every
# warning of the attempt that counts is reported: a retry can hide nothing.
attempts=$1
shift
build=_build
pause=${BUILD_RETRY_PAUSE:-10}
log=$(mktemp)
code=$(mktemp)
trap 'rm -f "$log" "$code"' EXIT
failures=""  # every page that failed to execute, once per failure
while :; do
    { python "$(dirname "$0")/jupyter_book_build.py" "$@"; echo $? > "$code"; } 2>&1 | tee "$log"
    [ "$(cat "$code")" = 0 ] && exit 0
    failed=$(sed -n 's/^.*[/ ]\([^ ]*\.md\): WARNING: Executing notebook failed.*$/\1/p' "$log" | sort -u)
    if [ -z "$failed" ]; then
        echo "build-book: the build failed, not while executing a notebook: not retried." >&2
        exit 1
    fi
    failures=$(printf '%s\n%s' "$failures" "$failed" | sed '/^$/d')
    for page in $failed; do
        tries=$(printf '%s\n' "$failures" | grep -cx "$page")
        if [ "$tries" -ge "$attempts" ]; then
            echo "build-book: executing $page failed in $tries of $attempts attempts: giving up." >&2
            exit 1
        fi
        echo "build-book: executing $page failed ($tries of $attempts attempts); building again in ${pause}s, and only what is not cached runs." >&2
    done
    rm -rf "$build/html" "$build/.doctrees"
    sleep "$pause"  # a busy spell on the host often lasts a few seconds; the
                    # extension then waits for two free cores before the page runs
done
