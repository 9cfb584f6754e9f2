#!/bin/sh
# valgrind-ndkms.sh - the release build/ndkms under valgrind memcheck (VALGRIND=1 test/run.sh):
# a definite leak or a memory error makes it exit 97.
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=97 \
	"$(dirname "$0")/../build/ndkms" "$@"
