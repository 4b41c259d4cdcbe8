# lib-build.sh - sourced first by the bench scripts, with the script's
# arguments (options already shifted off): BUILD, the build directory
# given (default build), made absolute as BRIGADE_BUILD; TOP, the tree;
# both exported, and the arguments set to BUILD, as tests/lib-uucp.sh wants.
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in
/*) BRIGADE_BUILD=$BUILD ;;
*) BRIGADE_BUILD=$TOP/$BUILD ;;
esac
export BRIGADE_TOP=$TOP BRIGADE_BUILD
set -- "$BUILD"
