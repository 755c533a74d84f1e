# Extra ctest entries that run whole programs (included from tests/CMakeLists.txt).

# ---- scenarios / imsim CLI (owner: scenarios) -----------------------------------------------
# `imsim run | replay | list`, --help, and the exit codes 0 (valid), 1 (anomalies), 2 (bad input
# or error), through tests/scenarios/cli_check.cmake which checks the exact exit code.
if(TARGET imsim)
  set(imsim_cli_data ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/data)
  set(imsim_cli_out ${CMAKE_CURRENT_BINARY_DIR}/cli-out)
  # imsim_cli_test(<name> <exit code> <regex or ""> <imsim args>...)
  function(imsim_cli_test name exit_code regex)
    add_test(NAME cli.${name}
             COMMAND ${CMAKE_COMMAND} -DEXIT=${exit_code}
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake -- $<TARGET_FILE:imsim>
                     ${ARGN}
             WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(cli.${name} PROPERTIES LABELS cli TIMEOUT 120)
    if(regex)
      set_tests_properties(cli.${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}")
    endif()
  endfunction()

  imsim_cli_test(help 0 "run.*replay.*list" --help)
  imsim_cli_test(run_help 0 "--seed.*--out.*--json" run --help)
  imsim_cli_test(replay_help 0 "failure_file" replay --help)
  imsim_cli_test(list_help 0 "--json" list --help)
  imsim_cli_test(list 0 "default .*large-group-read-fanout .*offline-backlog-crash-before-ack" list)
  imsim_cli_test(list_json 0 "\"name\": \"three-devices-ttl-expiry\"" list --json)

  imsim_cli_test(run_default 0 "trace hash +0x[0-9a-f]+.*verdict +VALID"
                 run default --out ${imsim_cli_out}/default)
  set_tests_properties(cli.run_default PROPERTIES FIXTURES_SETUP imsim_cli_default_run)
  imsim_cli_test(run_seed 0 "seed +5\n" run default --seed 5 --no-out)
  imsim_cli_test(run_json 0 "\"trace_hash\": \"0x" run default --no-out --json)
  imsim_cli_test(run_anomalies 1 "liveness [0-9]+ FOUND.*verdict +ANOMALIES FOUND"
                 run ${imsim_cli_data}/no-quiescence.json --no-out)
  imsim_cli_test(run_expected_anomalies 0 "verdict +AS EXPECTED"
                 run ${imsim_cli_data}/no-quiescence-expected.json --no-out)

  imsim_cli_test(replay 0 "replay +trace hash matches"
                 replay ${imsim_cli_out}/default/replay.json)
  set_tests_properties(cli.replay PROPERTIES FIXTURES_REQUIRED imsim_cli_default_run)
  add_test(NAME cli.replay_nondeterminism
           COMMAND ${CMAKE_COMMAND} -DEXIT=2
                   -DTAMPER_FROM=${imsim_cli_out}/default/replay.json
                   -DTAMPER_TO=${imsim_cli_out}/tampered.json
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake -- $<TARGET_FILE:imsim>
                   replay ${imsim_cli_out}/tampered.json --json)
  set_tests_properties(cli.replay_nondeterminism PROPERTIES
    LABELS cli TIMEOUT 120 FIXTURES_REQUIRED imsim_cli_default_run
    PASS_REGULAR_EXPRESSION "NON-DETERMINISM: trace hash 0x[0-9a-f]+ differs from the recorded 0x0000000000000001")

  imsim_cli_test(bad_field 2 "faults\\[0\\]\\.at_s: expected a number >= 0, got \"ten\""
                 run ${imsim_cli_data}/bad-at.json --no-out)
  imsim_cli_test(bad_json 2 "not valid JSON" run ${imsim_cli_data}/not-json.json --no-out)
  imsim_cli_test(unknown_scenario 2 "no such file, and no library scenario" run no-such-scenario)
  imsim_cli_test(bad_seed 2 "" run default --seed abc)
  imsim_cli_test(missing_argument 2 "" run)
  imsim_cli_test(unknown_subcommand 2 "" frobnicate)
  imsim_cli_test(no_subcommand 2 "" "")
  imsim_cli_test(replay_missing_file 2 "cannot open" replay ${imsim_cli_data}/absent.json)
  imsim_cli_test(replay_not_a_failure_file 2 "format: expected \"imsim-failure\" \\(a failure file\\), got null"
                 replay ${imsim_cli_data}/bad-at.json)
endif()
# ---- end scenarios / imsim CLI --------------------------------------------------------------
