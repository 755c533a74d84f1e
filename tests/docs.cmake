# The docs test (included from tests/CMakeLists.txt): scripts/docs-check runs every command
# shown in README.md and docs/*.md that is not marked slow or illustrative, compares the
# transcripts (docs/cli.md's summary and walk-through) with a run, and checks that quoted trace
# hashes and event counts come from a run. Label `docs`. The Python example needs the bindings:
# without them (a sanitizer build) the test is not registered.
if(NOT TARGET imsim OR NOT TARGET imsim_python)
  return()
endif()
add_test(NAME docs.check
         COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/scripts/docs-check --build ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(docs.check PROPERTIES LABELS docs TIMEOUT 300 PROCESSORS 2)

# The stories in the CLI output: `imsim check` tells them from the history alone, `imsim run`
# adds the faults of the run's schedule; both point to the glossary.
add_test(NAME docs.check_story
         COMMAND ${CMAKE_COMMAND} -DEXIT=1 -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake
                 -- $<TARGET_FILE:imsim> check
                 ${CMAKE_CURRENT_SOURCE_DIR}/properties/fixtures/lost_after_reinstall.jsonl)
set_tests_properties(docs.check_story PROPERTIES LABELS "docs;cli" PASS_REGULAR_EXPRESSION
  "story 1: lost .*what happened .*holds no fault schedule.*docs/checkers.md#glossary")
add_test(NAME docs.run_story
         COMMAND ${CMAKE_COMMAND} -DEXIT=0 -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake
                 -- $<TARGET_FILE:imsim> run
                 ${PROJECT_SOURCE_DIR}/scenarios/library/mutants/checkpoint_from_push.json --no-out)
set_tests_properties(docs.run_story PROPERTIES LABELS "docs;cli" PASS_REGULAR_EXPRESSION
  "story 1: lost .*faults around it:\n +0.500 s  offline node=u2/d1\n.*docs/checkers.md#glossary")

# The docs test can fail: on a page with one mistake of each kind it reports each of them.
add_test(NAME docs.check_catches
         COMMAND ${CMAKE_COMMAND} -DEXIT=1 -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake
                 -- /usr/bin/python3 ${PROJECT_SOURCE_DIR}/scripts/docs-check
                 --build ${CMAKE_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/docs/stale.md)
set_tests_properties(docs.check_catches PROPERTIES LABELS docs PASS_REGULAR_EXPRESSION
  "exits 0, the doc says 1.*exits 2, the doc says 0.*does not know --bogus.*prints something else.*0x3333333333333333.*indented block.*does not know --seedz.*no executable ./scripts/nope.*another value.*0x1111111111111111 comes from no run.*0x2222222222222222 comes from no run.*\\(10 events\\) comes from no run.*11 failures")
