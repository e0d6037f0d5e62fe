#!/bin/sh
# embed.sh HEADER SYMBOL FILE - writes to stdout a C file that includes
# HEADER (which declares them) and defines
#   const char SYMBOL[] = { FILE's bytes, 0 };
#   const size_t SYMBOL_len = (bytes, without the 0);
# with only POSIX od and awk (xxd may be absent).  The Makefile runs it to
# build the wallboard page into callslad ($(B)/gen/wallboard.c).
set -eu
[ $# -eq 3 ] || { echo "usage: embed.sh HEADER SYMBOL FILE" >&2; exit 2; }
header=$1
sym=$2
file=$3
[ -r "$file" ] || { echo "embed.sh: cannot read $file" >&2; exit 1; }
od -An -v -tx1 "$file" | awk -v header="$header" -v sym="$sym" -v file="$file" '
BEGIN {
	printf "/* Generated from %s by scripts/embed.sh: do not edit. */\n", file
	print "#include <stddef.h>\n"
	printf "#include \"%s\"\n\n", header
	printf "const char %s[] = {\n", sym
}
{
	line = ""
	for (i = 1; i <= NF; i++) {
		line = line sprintf("0x%s,", $i)
		n++
	}
	if (line != "")
		print "\t" line
}
END {
	print "\t0x00\n};"
	printf "const size_t %s_len = %d;\n", sym, n
}'
