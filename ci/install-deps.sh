#!/bin/sh
# Install the Debian packages the build needs, only the missing ones, only as
# root; otherwise say in one line what to install.
set -e
want="gcc make binutils pkg-config python3 protobuf-c-compiler libprotobuf-c-dev libcap-dev check iproute2 iptables nftables procps"
[ "$1" = docs ] && want="asciidoc-base xmlto docbook-xsl xsltproc"
[ "$1" = fuzz ] && want="clang libclang-rt-14-dev"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "Missing packages; as root run: apt-get install$missing" >&2
	exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
