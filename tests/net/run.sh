#!/bin/sh
# make nettest: the namespace tests alone (root), with make test's tally.
exec sh "$(dirname "$0")/../run.sh" net
