# Run at every build (harness/CMakeLists.txt, target parbench_git_revision): writes OUT, a source
# file with the revision of the tree being built and whether it had uncommitted changes, and only
# when that changed, so a rebuild after a commit reports the new revision and an unchanged tree
# recompiles nothing.
execute_process(
  COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
  OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
set(dirty "false")
if(failed OR NOT revision)
  set(revision "unknown")
else()
  execute_process(
    COMMAND git -C ${SOURCE_DIR} status --porcelain --untracked-files=no
    OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(changes)
    set(dirty "true")
  endif()
endif()
set(content "// Generated at build time by cmake/git_revision.cmake: do not edit.
#include \"build_info.hpp\"
namespace parbench::build_info {
const char* git_revision() { return \"${revision}\"; }
bool git_dirty() { return ${dirty}; }
}  // namespace parbench::build_info
")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL content)
  file(WRITE ${OUT} "${content}")
endif()
