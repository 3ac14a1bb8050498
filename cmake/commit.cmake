# Run at every build (cmake -P): writes OUT, a header with the commit okdlint is built from,
# touching it only when the commit changed so that only cli/version.cpp recompiles.
# The commit comes from, in order: -DOKDLINT_GIT_COMMIT=... at configure time (container builds
# pass it as a build argument), git (with "-dirty" for uncommitted changes), cmake/commit.txt as
# `git archive` fills it in (export-subst in .gitattributes), else "unknown".
set(commit "${OKDLINT_GIT_COMMIT}")
if(NOT commit)
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
  if(failed)
    set(commit "")
  else()
    execute_process(COMMAND git -C "${SOURCE_DIR}" diff --quiet HEAD -- RESULT_VARIABLE dirty
      OUTPUT_QUIET ERROR_QUIET)
    if(dirty EQUAL 1)
      string(APPEND commit "-dirty")
    endif()
  endif()
endif()
if(NOT commit AND EXISTS "${SOURCE_DIR}/cmake/commit.txt")
  file(STRINGS "${SOURCE_DIR}/cmake/commit.txt" archived LIMIT_COUNT 1)
  if(archived MATCHES "^[0-9a-f]+$")
    string(SUBSTRING "${archived}" 0 12 commit)
  endif()
endif()
if(NOT commit)
  set(commit "unknown")
endif()
file(WRITE "${OUT}.tmp" "#pragma once\n#define OKDLINT_COMMIT \"${commit}\"\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
