# Writes OUT with the git commit of SRC (suffix -dirty if the work tree differs outside results/), or "unknown";
# run at every build, rewrites the file only when the text changes.
execute_process(COMMAND git -C "${SRC}" rev-parse --short=12 HEAD OUTPUT_VARIABLE c RESULT_VARIABLE r
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT r EQUAL 0 OR c STREQUAL "")
  set(c "unknown")
else()
  # results/ is excluded: runs rewrite it, so a resumed run would otherwise call its own commit dirty
  execute_process(COMMAND git -C "${SRC}" diff --quiet HEAD -- ":(top)" ":(top,exclude)results" RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    set(c "${c}-dirty")
  endif()
endif()
set(text "#define SW_GIT_COMMIT \"${c}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
