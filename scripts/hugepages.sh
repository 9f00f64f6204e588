#!/bin/sh
# Reserve 2 MiB hugepages for the dataplane if we are root and there are
# fewer than wanted. Prints the number available; never fails the caller.
WANT=${IXG_HUGEPAGES:-512}
f=/proc/sys/vm/nr_hugepages
have=$(cat $f 2>/dev/null || echo 0)
if [ "$have" -lt "$WANT" ] && [ "$(id -u)" = 0 ]; then
	echo "$WANT" > $f 2>/dev/null || true
	have=$(cat $f 2>/dev/null || echo 0)
fi
if [ "$have" -gt 0 ] && ! grep -q hugetlbfs /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
fi
echo "$have"
