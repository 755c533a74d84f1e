# Runs one imsim command and checks its exit code (ctest alone only knows zero / non-zero).
#   cmake -DEXIT=<code> [-DTAMPER_FROM=<failure.json> -DTAMPER_TO=<copy.json>] -P cli_check.cmake
#         -- <command> <args>...
# TAMPER_*: first copy the failure file with a wrong expected_trace_hash (non-determinism test).
# FOUND_GLOB=<pattern>: an argument "@FOUND@" is replaced by the one file matching the pattern
# (e.g. the failure file explore wrote, whose name holds the seed it found).
# ONE_ERROR_LINE=ON: stdout must be empty and stderr exactly one line `imsim: error: ...`.
# ABSENT=<path>: the command must not have created this path (nothing half-written).
# INPUT=<file>: the command's standard input.
# Output (stdout + stderr) is echoed so PASS_REGULAR_EXPRESSION can match on it.
set(cmd "")
set(seen_separator FALSE)
foreach(i RANGE ${CMAKE_ARGC})
  if(seen_separator AND DEFINED CMAKE_ARGV${i})
    list(APPEND cmd "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(seen_separator TRUE)
  endif()
endforeach()
if(NOT cmd)
  message(FATAL_ERROR "cli_check.cmake: no command after --")
endif()
if(DEFINED FOUND_GLOB)
  file(GLOB found "${FOUND_GLOB}")
  list(LENGTH found found_count)
  if(NOT found_count EQUAL 1)
    message(FATAL_ERROR "expected one file matching ${FOUND_GLOB}, found ${found_count}: ${found}")
  endif()
  list(TRANSFORM cmd REPLACE "^@FOUND@$" "${found}")
endif()
if(DEFINED TAMPER_FROM)
  file(READ "${TAMPER_FROM}" failure)
  string(JSON failure SET "${failure}" expected_trace_hash "\"0x0000000000000001\"")
  file(WRITE "${TAMPER_TO}" "${failure}")
endif()
if(DEFINED INPUT)
  execute_process(COMMAND ${cmd} INPUT_FILE ${INPUT} RESULT_VARIABLE code OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
else()
  execute_process(COMMAND ${cmd} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
endif()
message("${out}${err}")
if(NOT "${code}" STREQUAL "${EXIT}")
  message(FATAL_ERROR "expected exit code ${EXIT}, got ${code}: ${cmd}")
endif()
if(ONE_ERROR_LINE)
  if(NOT "${out}" STREQUAL "")
    message(FATAL_ERROR "expected nothing on stdout, got: ${out}")
  endif()
  if(NOT "${err}" MATCHES "^imsim: error: [^\n]+\n$")
    message(FATAL_ERROR "expected exactly one line `imsim: error: ...` on stderr, got: ${err}")
  endif()
endif()
if(DEFINED ABSENT AND EXISTS "${ABSENT}")
  message(FATAL_ERROR "expected ${ABSENT} not to be written")
endif()
