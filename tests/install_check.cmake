# `cmake --install` of imsim into a temporary prefix, then the installed program (issue 15):
#   cmake -DBUILD=<build dir> -DPREFIX=<empty prefix> -DWORK=<dir> -P install_check.cmake
# 1. PREFIX/bin/imsim --version works;
# 2. with PREFIX/bin on PATH, the hint a run prints is `replay with: imsim replay ...`, and that
#    exact command, run as printed, replays the run (exit 0, same trace hash);
# 3. invoked by its path with PREFIX/bin not on PATH, the hint names that path instead.
function(run_checked expected_code)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK})
  message("$ ${ARGN}\n${out}${err}")
  if(NOT "${code}" STREQUAL "${expected_code}")
    message(FATAL_ERROR "expected exit code ${expected_code}, got ${code}: ${ARGN}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${PREFIX} ${WORK})
file(MAKE_DIRECTORY ${WORK})
run_checked(0 ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX})
if(NOT EXISTS ${PREFIX}/bin/imsim)
  message(FATAL_ERROR "cmake --install did not install ${PREFIX}/bin/imsim")
endif()
run_checked(0 ${PREFIX}/bin/imsim --version)
if(NOT out MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+\\+")
  message(FATAL_ERROR "unexpected --version output: ${out}")
endif()

set(path_before "$ENV{PATH}")
set(ENV{PATH} "${PREFIX}/bin:${path_before}")
run_checked(0 imsim run default --out run-on-path)
if(NOT out MATCHES "replay with: (imsim replay [^\n]+)\n")
  message(FATAL_ERROR "expected the hint `replay with: imsim replay ...`")
endif()
separate_arguments(hint UNIX_COMMAND "${CMAKE_MATCH_1}")
run_checked(0 ${hint})
if(NOT out MATCHES "replay +trace hash matches")
  message(FATAL_ERROR "the printed replay command did not replay the run")
endif()

set(ENV{PATH} "${path_before}")
run_checked(0 ${PREFIX}/bin/imsim run default --out run-by-path)
if(NOT out MATCHES "replay with: ${PREFIX}/bin/imsim replay run-by-path/replay.json")
  message(FATAL_ERROR "expected the hint to name ${PREFIX}/bin/imsim")
endif()
message("install check passed")
