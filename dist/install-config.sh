#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# meson install script: put the example config in place as the node's
# config (CONFDIR/ixgate.conf, the directory it includes, CONFDIR/example.d/,
# and the data files it names, CONFDIR/data/),
# unless there is one already: an install never overwrites an operator's
# config. Honours DESTDIR (meson sets it for --destdir and for packaging).
# Usage: install-config.sh EXAMPLE.conf DATADIR CONFDIR
set -eu
example=$1
data=$2
confdir=${DESTDIR:-}$3
say() { [ -n "${MESON_INSTALL_QUIET:-}" ] || echo "$*"; }

if [ -e "$confdir/ixgate.conf" ]; then
	say "Keeping existing $confdir/ixgate.conf (example in the docs)"
	exit 0
fi
install -d -m 0755 "$confdir" "$confdir/data"
install -m 0644 "$example" "$confdir/ixgate.conf"
# The directory the example includes (include "example.d";), if any.
incdir=$(dirname "$example")/example.d
if [ -d "$incdir" ]; then
	install -d -m 0755 "$confdir/example.d"
	for f in "$incdir"/*.conf; do
		[ -e "$f" ] && install -m 0644 "$f" "$confdir/example.d/"
	done
fi
for f in "$data"/*; do
	[ -e "$confdir/data/$(basename "$f")" ] ||
		install -m 0644 "$f" "$confdir/data/"
done
say "Installing example config to $confdir/ixgate.conf"
