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
  imsim_cli_test(list_mutations 0 "mutations.*no_server_dedup.*resume_counter_reset" list)
  # --mutation switches one on (the run is then judged plainly); --no-mutations clears a
  # mutant scenario's own; an unknown name is bad input.
  set(imsim_mutants_dir ${PROJECT_SOURCE_DIR}/scenarios/library/mutants)
  imsim_cli_test(run_mutation_flag 1 "duplicated [0-9]+ FOUND.*verdict +ANOMALIES FOUND"
                 run ${imsim_mutants_dir}/no_server_dedup.json --no-mutations
                 --mutation no_server_dedup --no-out)
  imsim_cli_test(run_no_mutations 0 "verdict +VALID"
                 run ${imsim_mutants_dir}/no_server_dedup.json --no-mutations --no-out)
  imsim_cli_test(run_unknown_mutation 2 "expected one of:.*no_server_dedup"
                 run default --mutation no_such_bug --no-out)
  # --checkers: only these judge the run; they must cover what the scenario still expects.
  imsim_cli_test(run_checkers_subset 0 "fifo ok.*verdict +VALID"
                 run ${imsim_mutants_dir}/no_server_dedup.json --mutation no_server_dedup
                 --checkers fifo --no-out)
  imsim_cli_test(run_checkers_missing_expected 2 "--checkers: the scenario expects the anomaly \"duplicated\""
                 run ${imsim_mutants_dir}/no_server_dedup.json --checkers fifo --no-out)
  imsim_cli_test(run_checkers_unknown 2 "--checkers: unknown checker \"bogus\""
                 run default --checkers lost,bogus --no-out)

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

  # Issue 15: the pictures. tests/scenarios/check_plots.py parses each SVG as XML and counts its
  # series, points and fault bands against results.json, replay.json and explore.json.
  set(imsim_check_plots ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/check_plots.py)
  add_test(NAME cli.plots_default
           COMMAND /usr/bin/python3 ${imsim_check_plots} run ${imsim_cli_out}/default)
  set_tests_properties(cli.plots_default PROPERTIES
    LABELS cli TIMEOUT 60 FIXTURES_REQUIRED imsim_cli_default_run)
  # A swarm run (drawn faults) and a mutant whose anomaly the Lamport diagram highlights.
  imsim_cli_test(plots_swarm_run 0 "" run swarm-smoke --seed 3 --swarm --no-progress
                 --out ${imsim_cli_out}/plots-swarm)
  imsim_cli_test(plots_mutant_run 0 "" run ${imsim_mutants_dir}/no_server_dedup.json
                 --no-progress --out ${imsim_cli_out}/plots-mutant)
  # A time budget cuts the exploration short (the plot shows the seeds run, of those planned).
  imsim_cli_test(plots_explore_run 0 "seeds/s  failures 0\n"
                 explore default --seeds 100000 --time-budget 1 --jobs 2
                 --out ${imsim_cli_out}/plots-explore)
  set_tests_properties(cli.plots_swarm_run PROPERTIES FIXTURES_SETUP imsim_plots_swarm)
  set_tests_properties(cli.plots_mutant_run PROPERTIES FIXTURES_SETUP imsim_plots_mutant)
  set_tests_properties(cli.plots_explore_run PROPERTIES FIXTURES_SETUP imsim_plots_explore
                       PROCESSORS 2)
  add_test(NAME cli.plots_swarm
           COMMAND /usr/bin/python3 ${imsim_check_plots} run ${imsim_cli_out}/plots-swarm)
  add_test(NAME cli.plots_mutant
           COMMAND /usr/bin/python3 ${imsim_check_plots} run ${imsim_cli_out}/plots-mutant
                   --anomaly duplicated)
  add_test(NAME cli.plots_explore
           COMMAND /usr/bin/python3 ${imsim_check_plots} explore ${imsim_cli_out}/plots-explore)
  set_tests_properties(cli.plots_swarm PROPERTIES
    LABELS cli TIMEOUT 60 FIXTURES_REQUIRED imsim_plots_swarm)
  set_tests_properties(cli.plots_mutant PROPERTIES
    LABELS cli TIMEOUT 60 FIXTURES_REQUIRED imsim_plots_mutant)
  set_tests_properties(cli.plots_explore PROPERTIES
    LABELS cli TIMEOUT 60 FIXTURES_REQUIRED imsim_plots_explore)

  imsim_cli_test(bad_field 2 "faults\\[0\\]\\.at_s: expected a number >= 0, got \"ten\""
                 run ${imsim_cli_data}/bad-at.json --no-out)
  imsim_cli_test(bad_json 2 "not valid JSON" run ${imsim_cli_data}/not-json.json --no-out)
  imsim_cli_test(unknown_scenario 2 "no such file, and no library scenario" run no-such-scenario)
  imsim_cli_test(bad_seed 2 "" run default --seed abc)
  imsim_cli_test(missing_argument 2 "" run)
  imsim_cli_test(unknown_subcommand 2 "" frobnicate)
  imsim_cli_test(no_subcommand 2 "" "")
  imsim_cli_test(replay_missing_file 2 "cannot open" replay ${imsim_cli_data}/absent.json)
  # Issue 17: hostile input found by fuzzing and probing. Each is exit 2 with exactly one line
  # `imsim: error: <file>: <json path>: <what>` and no output directory; before, they crashed
  # (uncaught exception, stack overflow), aborted (exit 134), hung, or were silently accepted.
  # imsim_cli_error(<name> <regex> <imsim args>...)
  function(imsim_cli_error name regex)
    add_test(NAME cli.${name}
             COMMAND ${CMAKE_COMMAND} -DEXIT=2 -DONE_ERROR_LINE=ON
                     -DABSENT=${imsim_cli_out}/${name}
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake -- $<TARGET_FILE:imsim>
                     ${ARGN}
             WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(cli.${name} PROPERTIES LABELS cli TIMEOUT 60
                         PASS_REGULAR_EXPRESSION "${regex}")
  endfunction()
  foreach(case overflow check-interval mean duplicate-key nul)
    set(file ${imsim_cli_data}/hostile-${case}.json)
    if(case STREQUAL overflow)
      set(regex "hostile-overflow.json: workload.messages_per_s: not valid JSON: number overflow parsing '9E644'")
    elseif(case STREQUAL check-interval)
      set(regex "hostile-check-interval.json: quiescence.check_interval_ms: 1e-07 is below 1 ns")
    elseif(case STREQUAL mean)
      set(regex "hostile-mean.json: network.mobile.latency.mean_ms: 1e-09 is below 1 ns")
    elseif(case STREQUAL duplicate-key)
      set(regex "hostile-duplicate-key.json: workload.messages_per_s: duplicate key \"messages_per_s\"")
    else()
      set(regex "hostile-nul.json: not valid JSON: a NUL byte at line 7, column 1")
    endif()
    imsim_cli_error(hostile_${case} "${regex}" run ${file} --out ${imsim_cli_out}/hostile_${case})
  endforeach()
  imsim_cli_error(hostile_replay
                  "hostile-replay.json: scenario.quiescence.check_interval_ms: 1e-07 is below 1 ns"
                  replay ${imsim_cli_data}/hostile-replay.json --out ${imsim_cli_out}/hostile_replay)
  # Issue 12, bounded resources: a world whose estimated memory exceeds the limit is refused
  # up front, with the estimate, the limit and the flag (never run here: it would need an estimated 43 GiB).
  # The default limit is half the physical memory, at most 16G: refused on any machine.
  imsim_cli_error(memory_100k_users_default
                  "estimated [0-9.]+ GiB \\(1600000 devices.*more than the memory limit .*--memory-limit SIZE"
                  run ${imsim_cli_data}/hostile-100k-users.json --out ${imsim_cli_out}/memory_100k_users_default)
  imsim_cli_error(memory_100k_users_flag
                  "more than the memory limit 8.0 GiB \\(--memory-limit 8G\\)"
                  run ${imsim_cli_data}/hostile-100k-users.json --no-out --memory-limit 8G)
  # explore: --jobs J runs J at once, so the estimate is multiplied.
  imsim_cli_error(memory_explore_jobs "estimated [0-9.]+ MiB x 2 jobs = [0-9.]+ MiB.*--memory-limit 4M"
                  explore default --jobs 2 --memory-limit 4M --out ${imsim_cli_out}/memory_explore_jobs)
  imsim_cli_test(memory_explore_one_job 0 "verdict +no failure" explore default --seeds 2 --memory-limit 4M)
  # A small limit refuses even the default world (the check can fail); a raised one runs it.
  imsim_cli_error(memory_small_limit "estimated [0-9.]+ MiB \\(6 devices.*limit 1.0 MiB"
                  run default --no-out --memory-limit 1M)
  imsim_cli_test(memory_raised_limit 0 "verdict +VALID" run default --no-out --memory-limit 64M)
  foreach(size 8X -1G 0 G 1.5.5G 8GB2)
    imsim_cli_error(memory_limit_bad_${size} "--memory-limit: expected a memory size such as 8G, 500M or 1.5G.*got \"${size}\""
                    run default --no-out --memory-limit=${size})
  endforeach()
  # Progress (issue 14): forced with --progress it prints on stderr, not a terminal, from the
  # first call; --no-progress prints none; the trace hash is the same either way.
  imsim_cli_test(progress_forced 0 "trace hash +0x886e7102a3738ef3.*run: safety 0\\.[0-9]/10\\.0 s simulated.*ETA.*run: liveness"
                 run default --no-out --progress)
  imsim_cli_test(progress_off 0 "trace hash +0x886e7102a3738ef3" run default --no-out --no-progress)
  # The summary docs/cli.md quotes (and docs/scenario-format.md's expected_trace_hash).
  imsim_cli_test(docs_default_summary 0
                 "trace hash  0x886e7102a3738ef3.*sim time    10.600 s \\(quiesced\\).*messages    sent 49, stored 49, acked 49, failed 0, displays 219"
                 run default --no-out)
  set_tests_properties(cli.progress_off PROPERTIES FAIL_REGULAR_EXPRESSION "run: ")
  imsim_cli_test(progress_excludes 2 "--progress excludes --no-progress" run default --progress --no-progress)
  # Seeds are decimal integers that fit 64 bits: no wrap (-1), no clamp (2^64), no exponent.
  foreach(seed -1 18446744073709551616 1e23 0x10)
    imsim_cli_error(seed_${seed} "--seed: expected a seed: a decimal integer in \\[0, 18446744073709551615\\], got \"${seed}\""
                    run default --seed ${seed} --out ${imsim_cli_out}/seed_${seed})
  endforeach()
  imsim_cli_error(first_seed_negative "--first-seed: expected a seed" explore default --first-seed -1)
  imsim_cli_error(first_seed_wraps "--seeds: 2 seeds from seed 18446744073709551615 would pass"
                  explore default --first-seed 18446744073709551615 --seeds 2)
  # CLI11's own parse errors get the prefix too, on one line.
  imsim_cli_error(parse_error_missing "imsim: error: scenario is required" run)
  imsim_cli_error(parse_error_subcommand
                  "imsim: error: unknown command \"frobnicate\" \\(expected one of run, replay, list"
                  frobnicate)
  imsim_cli_error(parse_error_range
                  "imsim: error: --lamport-from: expected a number of seconds >= 0 and at most [0-9.]+e\\+[0-9]+, got \"1e400\""
                  run default --lamport-from 1e400)
  imsim_cli_test(run_seed_max 0 "seed +18446744073709551615\n"
                 run default --seed 18446744073709551615 --no-out)
  imsim_cli_test(replay_not_a_failure_file 2 "bad-at.json: is a scenario, not a failure file: run it with `[^`]*imsim run [^`]*bad-at.json`"
                 replay ${imsim_cli_data}/bad-at.json)
endif()
# ---- end scenarios / imsim CLI --------------------------------------------------------------

# ---- mutants (owner: engine) ----------------------------------------------------------------
# scenarios/library/mutants/<mutation>.json is the minimal counterexample of one engine mutation
# (docs/mutations.md). Three runs each, through tests/mutant_check.cmake:
#   mutant.<m>.on      as written (mutation on): its checks.expect anomalies are found (exit 0)
#   mutant.<m>.strict  mutation on, judged as a valid run: anomalies (exit 1)
#   mutant.<m>.off     the same world, faults and seed without the mutation: valid (exit 0)
if(TARGET imsim)
  file(GLOB imsim_mutants CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/scenarios/library/mutants/*.json)
  foreach(mutant ${imsim_mutants})
    get_filename_component(mutation ${mutant} NAME_WE)
    foreach(mode on strict off)
      add_test(NAME mutant.${mutation}.${mode}
               COMMAND ${CMAKE_COMMAND} -DIMSIM=$<TARGET_FILE:imsim> -DMUTANT=${mutant}
                       -DMODE=${mode} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/mutants
                       -P ${CMAKE_CURRENT_SOURCE_DIR}/mutant_check.cmake)
      # A pass regex makes ctest ignore the exit code: the script's own check fails the test.
      set_tests_properties(mutant.${mutation}.${mode} PROPERTIES LABELS "cli;mutants" TIMEOUT 300
                           FAIL_REGULAR_EXPRESSION "expected exit code")
    endforeach()
    set_tests_properties(mutant.${mutation}.on PROPERTIES
                         PASS_REGULAR_EXPRESSION "verdict +AS EXPECTED")
    set_tests_properties(mutant.${mutation}.strict PROPERTIES
                         PASS_REGULAR_EXPRESSION "verdict +ANOMALIES FOUND")
    set_tests_properties(mutant.${mutation}.off PROPERTIES
                         PASS_REGULAR_EXPRESSION "verdict +VALID")
  endforeach()
endif()

# ---- explore / shrink / check (owner: scenarios) --------------------------------------------
# `imsim check` on histories (valid, anomalies, malformed), `imsim explore` (valid and mutant),
# `imsim replay` and `imsim shrink` of the failure file explore wrote; then the CI gate.
if(TARGET imsim)
  set(imsim_fixtures ${CMAKE_CURRENT_SOURCE_DIR}/properties/fixtures)
  set(imsim_mutant ${imsim_cli_data}/mutant-no-client-dedup.json)
  set(imsim_mutant_out ${imsim_cli_out}/explore-mutant)

  imsim_cli_test(check_help 0 "--json.*--checkers" check --help)
  imsim_cli_test(explore_help 0 "--seeds.*--first-seed.*--swarm.*--jobs.*--shard.*--time-budget"
                 explore --help)
  imsim_cli_test(shrink_help 0 "--out.*--runs-max.*--time-max" shrink --help)

  imsim_cli_test(check_valid 0 "OK: no anomaly.*metrics: sent.*verdict +VALID"
                 check ${imsim_fixtures}/clean.jsonl)
  imsim_cli_test(check_run_history 0 "verdict +VALID" check ${imsim_cli_out}/default/history.jsonl)
  set_tests_properties(cli.check_run_history PROPERTIES FIXTURES_REQUIRED imsim_cli_default_run)
  imsim_cli_test(check_anomalies 1 "duplicated \\(1\\).*twice_in_view.*verdict +ANOMALIES FOUND"
                 check ${imsim_fixtures}/duplicated_view.jsonl)
  imsim_cli_test(check_chosen_checkers 0 "verdict +VALID"
                 check ${imsim_fixtures}/duplicated_view.jsonl --checkers lost,fifo)
  imsim_cli_test(check_json 1 "\"exit_code\": 1" check ${imsim_fixtures}/duplicated_view.jsonl --json)
  imsim_cli_test(check_malformed 2 "malformed history: line 3: ack of"
                 check ${imsim_fixtures}/malformed_ack_sender.jsonl)
  imsim_cli_test(check_missing_file 2 "cannot open" check ${imsim_cli_data}/absent.jsonl)
  imsim_cli_test(check_bad_checker 2 "unknown checker \"bogus\""
                 check ${imsim_fixtures}/clean.jsonl --checkers bogus)

  imsim_cli_test(explore_default 0 "explored +5 of 5 seeds, 0 failures.*verdict +no failure"
                 explore default --seeds 5 --jobs 2)
  imsim_cli_test(explore_shard_json 0 "\"seeds_planned\": 5,.*\"seeds_run\": 5"
                 explore default --seeds 10 --shard 2/2 --swarm --json)
  imsim_cli_test(explore_bad_shard 2 "--shard: expected K/N" explore default --shard 3/2)
  imsim_cli_test(explore_bad_jobs 2 "" explore default --jobs 0)
  # Hunting a mutant's anomaly class over its exploration scenario, and the reference on the
  # same seeds (tests/mutants/catalog_test.cpp does this for every mutation).
  imsim_cli_test(explore_hunts_mutation 1 "FAILURE +seed 1: fifo.*replay with: [^ ]*imsim replay"
                 explore ${imsim_mutants_dir}/explore/no_fifo_holdback.json --swarm
                 --mutation no_fifo_holdback --checkers fifo --seeds 10 --no-shrink
                 --out ${imsim_cli_out}/explore-hunt)
  imsim_cli_test(explore_reference_same_seeds 0 "explored +10 of 10 seeds, 0 failures"
                 explore ${imsim_mutants_dir}/explore/no_fifo_holdback.json --swarm
                 --no-mutations --seeds 10 --jobs 2)
  imsim_cli_test(explore_unknown_mutation 2 "--mutation no_such_bug: expected one of"
                 explore default --mutation no_such_bug)
  # A wired mutation that swarm mode finds within a few seeds: explore exits 1 with a shrunk
  # failure file; replay reproduces it (same hash, anomalies found again: exit 1); shrink
  # replays it and shrinks it further (exit 1: the shrunk file still fails).
  add_test(NAME cli.explore_mutant_clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${imsim_mutant_out})
  set_tests_properties(cli.explore_mutant_clean PROPERTIES LABELS cli
                       FIXTURES_SETUP imsim_cli_mutant_clean)
  imsim_cli_test(explore_mutant 1
                 "FAILURE +seed [0-9]+: duplicated.*shrunk +faults [0-9]+ -> [0-9]+.*duplicated \\([0-9]+\\).*replay with: [^ ]*imsim replay"
                 explore ${imsim_mutant} --swarm --seeds 30 --jobs 2 --out ${imsim_mutant_out})
  set_tests_properties(cli.explore_mutant PROPERTIES FIXTURES_REQUIRED imsim_cli_mutant_clean
                       FIXTURES_SETUP imsim_cli_mutant)
  foreach(step replay shrink)
    if(step STREQUAL replay)
      set(regex "duplicated [0-9]+ FOUND.*replay +trace hash matches")
    else()
      set(regex "failure +.*shrunk.json.*replay with: [^ ]*imsim replay")
    endif()
    add_test(NAME cli.explore_mutant_${step}
             COMMAND ${CMAKE_COMMAND} -DEXIT=1 "-DFOUND_GLOB=${imsim_mutant_out}/failure-seed*[0-9].json"
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake -- $<TARGET_FILE:imsim>
                     ${step} @FOUND@)
    set_tests_properties(cli.explore_mutant_${step} PROPERTIES LABELS cli TIMEOUT 120
                         FIXTURES_REQUIRED imsim_cli_mutant PASS_REGULAR_EXPRESSION "${regex}")
  endforeach()

  # ---- CI gate: every library scenario in swarm mode, bounded. Any anomaly fails CI. ----
  # Each entry runs up to kGateSeeds seeds on 2 workers and launches none after
  # kGateBudget wall seconds; 11 scenarios take about 2-4 minutes on 2 cores (docs/cli.md).
  # Select with `ctest -L explore-gate`.
  set(imsim_gate_seeds 2000)
  set(imsim_gate_budget_s 20)
  if(IMSIM_REDUCED_BUDGETS)
    # Sanitizer lane: every scenario still explores (swarm, anomalies fail), for 8 s instead
    # of 20 at ~8x less speed, so a few dozen seeds each rather than hundreds. The coverage
    # table below needs the full gate's seeds to reach its points, so it is judged in the
    # normal (gcc) run only.
    set(imsim_gate_budget_s 8)
  endif()
  file(GLOB imsim_gate_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/library/*.json)
  foreach(file ${imsim_gate_scenarios})
    get_filename_component(name ${file} NAME_WE)
    add_test(NAME explore-gate.${name}
             COMMAND ${CMAKE_COMMAND} -DEXIT=0
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake -- $<TARGET_FILE:imsim>
                     explore ${file} --swarm --seeds ${imsim_gate_seeds} --jobs 2
                     --time-budget ${imsim_gate_budget_s} --out ${imsim_cli_out}/gate/${name}
             WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(explore-gate.${name} PROPERTIES LABELS explore-gate TIMEOUT 240
                         PROCESSORS 2 FIXTURES_SETUP imsim_gate)
  endforeach()
  # Coverage per gate scenario, and every engine point no scenario reached: each must be
  # explained in docs/explore.md ("Points the gate does not reach"), or the world changed.
  if(NOT IMSIM_REDUCED_BUDGETS)
    add_test(NAME explore-gate.coverage
             COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/explore_coverage.py
                     ${imsim_cli_out}/gate ${PROJECT_SOURCE_DIR}/docs/explore.md
                     ${PROJECT_SOURCE_DIR}/engine/include/imsim/engine/coverage.hpp)
    set_tests_properties(explore-gate.coverage PROPERTIES LABELS explore-gate TIMEOUT 30
                         FIXTURES_REQUIRED imsim_gate)
  endif()
endif()
# ---- end explore / shrink / check -----------------------------------------------------------

# ---- imsim bench (owner: apps) -----------------------------------------------------------------
# The quick suite (about a second): every figure docs/performance.md names is printed, as JSON
# with the keys of issue 14. The figures themselves are measured by `imsim bench`, not tested.
if(TARGET imsim)
  imsim_cli_test(bench_quick_json 0
                 "\"bytes_per_delivery\".*\"bytes_per_device\".*\"check_events_per_s\".*\"deliveries_per_s\".*\"explore_seeds_per_s\".*\"kernel_events_per_s\".*\"kernel_vs_naive_ratio\".*\"sim_seconds_per_wall_second\""
                 bench --quick --json)
  imsim_cli_test(bench_quick_table 0 "kernel_vs_naive_ratio.*deliveries_per_s.*explore_seeds_per_s"
                 bench --quick)
endif()
# ---- failure UX (issue 15, owner: scenarios) ------------------------------------------------
# Bad input found on the way: each exits 2 with one line `imsim: error: ...`, before any work
# and without writing anything; the summaries of a failure say what the JSON says.
if(TARGET imsim)
  set(imsim_a_file ${imsim_cli_data}/bad-at.json)
  # --out naming a file (or a path through one): refused before the run, no bogus summary.
  imsim_cli_error(run_out_is_file "--out .*bad-at.json: it is a file, not a directory"
                  run default --out ${imsim_a_file})
  imsim_cli_error(run_out_through_file "--out .*bad-at.json/x: .*bad-at.json is a file, not a directory"
                  run default --out ${imsim_a_file}/x)
  imsim_cli_error(replay_out_is_file "--out .*bad-at.json: it is a file, not a directory"
                  replay ${imsim_cli_out}/default/replay.json --out ${imsim_a_file})
  # explore checks its output directory before exploring (and shrinking) anything.
  imsim_cli_error(explore_out_is_file "--out .*bad-at.json: it is a file, not a directory"
                  explore ${imsim_mutant} --swarm --seeds 30 --out ${imsim_a_file})
  foreach(budget -1 0 nan 1e400 abc)
    imsim_cli_error(time_budget_${budget}
                    "--time-budget: expected a number of seconds > 0 and at most [0-9.]+e\\+[0-9]+, got \"${budget}\" \\(see imsim --help\\)"
                    explore default --time-budget ${budget})
  endforeach()
  imsim_cli_error(shrink_out_through_file "--out .*bad-at.json/x.json: directory .*bad-at.json: it is a file, not a directory"
                  shrink ${imsim_cli_data}/hostile-replay.json --out ${imsim_a_file}/x.json)
  imsim_cli_error(shrink_time_max_negative "--time-max: expected a number of seconds > 0"
                  shrink ${imsim_cli_data}/hostile-replay.json --time-max -5)
  # A misspelt command or option: named, with the one meant.
  imsim_cli_error(unknown_command_typo "unknown command \"runn\" \\(did you mean run\\?; see imsim --help\\)"
                  runn default)
  imsim_cli_error(unknown_option_typo "run: unknown option --seeds \\(did you mean --seed\\?\\) \\(see imsim run --help\\)"
                  run default --seeds 5)
  imsim_cli_error(unknown_option_explore "explore: unknown option --seed \\(did you mean --seeds\\?\\)"
                  explore default --seed 5)
  imsim_cli_error(stray_argument "run: unexpected argument \"extra\"" run default extra --no-out)
  # A directory, or another kind of imsim file, where a file of one kind is expected.
  imsim_cli_error(run_directory "data: is a directory, not a scenario" run ${imsim_cli_data})
  imsim_cli_error(check_directory "data: is a directory, not a history \\(JSON Lines, docs/history-format.md\\)"
                  check ${imsim_cli_data})
  imsim_cli_error(check_run_directory "default: is a directory, not a history .*did you mean .*default/history.jsonl\\?"
                  check ${imsim_cli_out}/default)
  imsim_cli_error(check_scenario "default.json: is a scenario, not a history .*run it with `[^`]*imsim run .*default.json` \\(it writes history.jsonl\\)"
                  check ${PROJECT_SOURCE_DIR}/scenarios/library/default.json)
  imsim_cli_error(check_results "results.json: is a run's results.json, not a history .*: the run's history is history.jsonl beside it"
                  check ${imsim_cli_out}/default/results.json)
  imsim_cli_error(check_failure_file "replay.json: is a failure file, not a history .*replay it with `[^`]*imsim replay .*replay.json`"
                  check ${imsim_cli_out}/default/replay.json)
  imsim_cli_error(run_failure_file "replay.json: is a failure file, not a scenario: replay it with `[^`]*imsim replay .*replay.json`"
                  run ${imsim_cli_out}/default/replay.json --no-out)
  imsim_cli_error(run_history "history.jsonl: is a history, not a scenario: check it with `[^`]*imsim check"
                  run ${imsim_cli_out}/default/history.jsonl --no-out)
  imsim_cli_error(replay_scenario "default.json: is a scenario, not a failure file: run it with `[^`]*imsim run"
                  replay ${PROJECT_SOURCE_DIR}/scenarios/library/default.json)
  set_tests_properties(cli.replay_out_is_file cli.check_run_directory cli.check_results cli.check_failure_file
                       cli.run_failure_file cli.run_history PROPERTIES
                       FIXTURES_REQUIRED imsim_cli_default_run)
  # `check -` reads the history from stdin.
  foreach(case clean duplicated_view)
    if(case STREQUAL clean)
      set(exit 0)
      set(regex "history +\\(standard input\\).*verdict +VALID")
    else()
      set(exit 1)
      set(regex "history +\\(standard input\\).*duplicated \\(1\\).*verdict +ANOMALIES FOUND")
    endif()
    add_test(NAME cli.check_stdin_${case}
             COMMAND ${CMAKE_COMMAND} -DEXIT=${exit} -DINPUT=${imsim_fixtures}/${case}.jsonl
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/cli_check.cmake -- $<TARGET_FILE:imsim>
                     check -)
    set_tests_properties(cli.check_stdin_${case} PROPERTIES LABELS cli TIMEOUT 60
                         PASS_REGULAR_EXPRESSION "${regex}")
  endforeach()
  # --lamport-from past the latest possible end is refused up front; past the run's actual
  # last record (it quiesced early), the default window is drawn and a note says so.
  imsim_cli_error(lamport_from_past_deadline
                  "--lamport-from 100: the run ends at the latest at 40 s \\(safety_s \\+ quiescence_s\\), so the diagram would be empty"
                  run default --out ${imsim_cli_out}/lamport_from_past_deadline --lamport-from 100)
  imsim_cli_test(lamport_from_past_last_record 0
                 "note: --lamport-from 20.000 s is after the run's last record \\(10.[0-9]+ s\\): lamport.svg starts at the default instead"
                 run default --out ${imsim_cli_out}/lamport-late --lamport-from 20)
  # The mutations that were on: in the summary and in results.json / explore.json.
  imsim_cli_test(run_mutations_summary 1 "seed +1\nmutations +no_server_dedup\n.*ANOMALIES FOUND"
                 run default --mutation no_server_dedup --no-out)
  imsim_cli_test(run_mutations_json 1 "\"mutations\": \\[\n *\"no_server_dedup\"\n *\\]"
                 run default --mutation no_server_dedup --no-out --json)
  imsim_cli_test(run_no_mutations_json 0 "\"mutations\": \\[\\]" run default --no-out --json)
  imsim_cli_test(explore_mutations_json 0 "\"mutations\": \\[\n *\"no_server_dedup\"\n *\\]"
                 explore default --mutation no_server_dedup --checkers fifo --seeds 2 --json)
  # A mutant scenario explored plainly: the failure is a missing expected anomaly, said so
  # (never an empty class followed by "OK: no anomaly" alone).
  imsim_cli_test(explore_expected_missing 1
                 "FAILURE +seed 1: expected anomaly duplicated missing \\(trace hash.*faults +[^\n]+\nexpected +duplicated \\(checks.expect\\), but the run did not show duplicated\nOK: no anomaly"
                 explore ${imsim_mutants_dir}/explore/no_server_dedup.json --seeds 5
                 --out ${imsim_cli_out}/explore-expected-missing)
  # The shrunk failure's world and remaining faults, in the summary.
  set_tests_properties(cli.explore_mutant PROPERTIES PASS_REGULAR_EXPRESSION
    "FAILURE +seed [0-9]+: duplicated.*shrunk +faults [0-9]+ -> [0-9]+.*world +[0-9]+ users?, [0-9]+ devices?: [^\n]*; [0-9]+ conversations?: [^\n]*\n +safety phase [0-9.]+ s; messages sent [0-9]+.*faults +(none|[0-9]+ left:\n  - at [0-9.e+-]+ s: ).*duplicated \\([0-9]+\\).*replay with: [^ ]*imsim replay")
  # --seed-from random: a fresh base seed each time, printed with the command that repeats it.
  imsim_cli_test(explore_seed_from_random 0
                 "seeds +[0-9]+ \\.\\. [0-9]+, shard 1/1, 1 job \\(random base seed\\)\nrepeat with: [^ ]*imsim explore default --first-seed [0-9]+ --seeds 2\n"
                 explore default --seed-from random --seeds 2)
  imsim_cli_test(explore_seed_from_random_json 0 "\"first_seed\": [0-9]+,.*\"repeat_command\": \"[^\"]*imsim explore default --first-seed [0-9]+ --seeds 2 --swarm\",.*\"seed_from\": \"random\""
                 explore default --seed-from random --seeds 2 --swarm --json)
  imsim_cli_error(explore_seed_from_excludes "--first-seed excludes --seed-from"
                  explore default --seed-from random --first-seed 3)
  imsim_cli_error(explore_seed_from_bad "--seed-from: expected scenario or random, got \"now\""
                  explore default --seed-from now)
  # The installed program: `cmake --install` into a temporary prefix; its --version, and the
  # replay hint it prints, run as printed (tests/install_check.cmake).
  add_test(NAME cli.install
           COMMAND ${CMAKE_COMMAND} -DBUILD=${PROJECT_BINARY_DIR}
                   -DPREFIX=${CMAKE_CURRENT_BINARY_DIR}/install-prefix
                   -DWORK=${CMAKE_CURRENT_BINARY_DIR}/install-work
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/install_check.cmake)
  set_tests_properties(cli.install PROPERTIES LABELS cli TIMEOUT 60
                       PASS_REGULAR_EXPRESSION "install check passed")
endif()
# ---- end failure UX -------------------------------------------------------------------------
