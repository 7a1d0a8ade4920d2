#!/bin/sh
# build-book.sh ATTEMPTS JUPYTER-BOOK-ARGS...
#
# Build the book; if a notebook failed to execute, build again, up to ATTEMPTS
# times in all.
#
# Why: the pages check their claims about speed ("two threads are faster than
# one") with hidden asserts, on a build machine whose two cores are shared with
# other machines. Now and then the host takes a core away for a few seconds,
# and a claim that holds fails once. Notebooks that executed are kept in the
# jupyter cache, so a second attempt runs only the pages that failed; a claim
# that has really gone stale fails every attempt and fails the build.
#
# Only execution failures are retried. Between attempts the Sphinx environment
# is removed (not the jupyter cache), so every page is read again and every
# warning of the attempt that counts is reported: a retry can hide nothing.
attempts=$1
shift
build=_build
log=$(mktemp)
code=$(mktemp)
trap 'rm -f "$log" "$code"' EXIT
attempt=1
while :; do
    { jupyter-book build "$@"; echo $? > "$code"; } 2>&1 | tee "$log"
    [ "$(cat "$code")" = 0 ] && exit 0
    failed=$(sed -n 's/^.*[/ ]\([^ ]*\.md\): WARNING: Executing notebook failed.*$/\1/p' "$log" | sort -u | tr '\n' ' ')
    if [ -z "$failed" ]; then
        echo "build-book: the build failed, not while executing a notebook: not retried." >&2
        exit 1
    fi
    if [ "$attempt" -ge "$attempts" ]; then
        echo "build-book: executing $failed failed in attempt $attempt of $attempts: giving up." >&2
        exit 1
    fi
    attempt=$((attempt + 1))
    echo "build-book: executing $failed failed; attempt $attempt of $attempts runs again only what is not cached." >&2
    rm -rf "$build/html" "$build/.doctrees"
done
