#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# fetch-data.sh - fetch the real internet data the benchmarks convert into a
# full-size ixgate config: pinned versions of the npm packages
# @ip-location-db/asn and @ip-location-db/asn-country (CC BY 4.0: RouteViews,
# the five RIRs via the NRO, DB-IP; see bench/README-data.md).
#
# usage: bench/fetch-data.sh [DATA_DIR]      (default: bench/data)
#
# Tarballs go to DATA_DIR/cache/ (npm pack, no node_modules), are checked
# against the sha512 pinned below, and their CSV files are unpacked into
# DATA_DIR/. Idempotent: a verified cached tarball is not fetched again, so
# the script works offline once the cache is filled. Any failure (network,
# integrity mismatch, missing file) exits non-zero with a message.
set -eu

# Pinned versions and npm's dist.integrity for them
# (`npm view @ip-location-db/asn@VERSION dist.integrity`).
ASN_VERSION=2.3.2026061719
ASN_INTEGRITY=sha512-PpqYi7wyEyWwunXBtl+y3Vi403SvNywotWwvmiYCOUtE0SVol/Sf492Ee+eErEznmGapxEQB2SAfrpXuZ9a+vQ==
ASNCC_VERSION=2.3.2026061719
ASNCC_INTEGRITY=sha512-KN/mUGqf/nwkI0RDvv4knOc5xGXxbooU1MlTXThEJcJVyWxHoCx6oRed8p7NguGKZRpQPmZWdWw/zslHZsUC6Q==

here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/data}
cache=$data/cache

die() {
	echo "fetch-data: $*" >&2
	exit 1
}

mkdir -p "$cache" || die "cannot create $cache"

# sha512 of a file in npm's "sha512-BASE64" integrity form.
integrity_of() {
	printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

# fetch NAME VERSION INTEGRITY: leaves a verified tarball in $cache and
# prints its path.
fetch() {
	name=$1 version=$2 want=$3
	# npm pack names @scope/pkg@v as scope-pkg-v.tgz.
	tgz=$cache/$(printf '%s' "$name" | sed 's,^@,,; s,/,-,')-$version.tgz
	if [ -f "$tgz" ] && [ "$(integrity_of "$tgz")" = "$want" ]; then
		echo "$tgz"
		return 0
	fi
	rm -f "$tgz"
	command -v npm >/dev/null 2>&1 ||
		die "npm not found (apt-get install npm) and $tgz is not cached"
	echo "fetch-data: npm pack $name@$version" >&2
	(cd "$cache" && npm pack --silent "$name@$version" >/dev/null) ||
		die "npm pack $name@$version failed (registry unreachable?)"
	[ -f "$tgz" ] || die "npm pack did not write $tgz"
	got=$(integrity_of "$tgz")
	if [ "$got" != "$want" ]; then
		mv "$tgz" "$tgz.bad"
		die "$name@$version: integrity mismatch: got $got, pinned $want (kept as $tgz.bad)"
	fi
	echo "$tgz"
}

# unpack TGZ FILE...: extracts package/FILE into $data/FILE when the
# tarball is newer than the file or the file is missing.
unpack() {
	tgz=$1
	shift
	for f in "$@"; do
		if [ -s "$data/$f" ] && [ "$data/$f" -nt "$tgz" ]; then
			continue
		fi
		tar -xzOf "$tgz" "package/$f" >"$data/$f.tmp" ||
			die "$f missing from $tgz"
		[ -s "$data/$f.tmp" ] || die "$f is empty in $tgz"
		mv "$data/$f.tmp" "$data/$f"
	done
}

asn=$(fetch @ip-location-db/asn "$ASN_VERSION" "$ASN_INTEGRITY")
asncc=$(fetch @ip-location-db/asn-country "$ASNCC_VERSION" "$ASNCC_INTEGRITY")
unpack "$asn" asn-ipv4.csv asn-ipv6.csv
unpack "$asncc" asn-country-ipv4.csv asn-country-ipv6.csv

# Licence texts travel with the data they cover.
mkdir -p "$data/licenses"
for f in ROUTEVIEWS-LICENSE NRO_LICENSE DBIP-LICENSE; do
	[ -s "$data/licenses/$f" ] && [ "$data/licenses/$f" -nt "$asn" ] && continue
	tar -xzOf "$asn" "package/$f" >"$data/licenses/$f" ||
		die "$f missing from $asn"
done
cat >"$data/VERSIONS" <<END
@ip-location-db/asn@$ASN_VERSION $ASN_INTEGRITY
@ip-location-db/asn-country@$ASNCC_VERSION $ASNCC_INTEGRITY
END

for f in asn-ipv4.csv asn-ipv6.csv asn-country-ipv4.csv asn-country-ipv6.csv; do
	printf 'fetch-data: %s: %s lines\n' "$data/$f" "$(wc -l <"$data/$f")"
done
