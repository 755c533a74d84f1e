# Runs one mutant scenario (scenarios/library/mutants/<mutation>.json) in one mode and checks the
# exit code of `imsim run`:
#   cmake -DIMSIM=<imsim> -DMUTANT=<file.json> -DMODE=<mode> -DWORK=<dir> -P mutant_check.cmake
# MODE on      the file as it is: its mutation on, checks.expect = its anomalies -> exit 0
#      strict  its mutation on, judged as a valid run (checks.expect = "valid")  -> exit 1
#      off     a copy with no mutation, judged as a valid run                     -> exit 0
# The copies are written to WORK at test time, so the reference run always uses the very same
# world, faults and seed as the mutant. Output is echoed for PASS_REGULAR_EXPRESSION.
foreach(var IMSIM MUTANT MODE WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "mutant_check.cmake: -D${var}= is required")
  endif()
endforeach()
file(READ "${MUTANT}" doc)
get_filename_component(stem "${MUTANT}" NAME_WE)
if(MODE STREQUAL "on")
  set(file "${MUTANT}")
  set(exit 0)
elseif(MODE STREQUAL "strict" OR MODE STREQUAL "off")
  string(JSON doc SET "${doc}" checks expect "\"valid\"")
  if(MODE STREQUAL "off")
    string(JSON doc SET "${doc}" engine mutations "[]")
    set(exit 0)
  else()
    set(exit 1)
  endif()
  file(MAKE_DIRECTORY "${WORK}")
  set(file "${WORK}/${stem}.${MODE}.json")
  file(WRITE "${file}" "${doc}")
else()
  message(FATAL_ERROR "mutant_check.cmake: MODE must be on, strict or off, got '${MODE}'")
endif()
execute_process(COMMAND "${IMSIM}" run "${file}" --no-out
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${code}" STREQUAL "${exit}")
  message(FATAL_ERROR "expected exit code ${exit}, got ${code}: imsim run ${file}")
endif()
