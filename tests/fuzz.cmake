# The fuzz targets in the test command (IMSIM_FUZZ=ON builds only; docs/testing.md): the seed
# corpus is generated (fuzz.corpus), then each target runs its corpus and a fixed number of
# mutated inputs with a fixed seed (`ctest -L fuzz`). A crash, sanitizer report or finding fails
# the test and is saved under fuzz-smoke/crashes/<target>/. Longer runs: scripts/fuzz.
if(TARGET imsim_fuzz_corpus)
  set(imsim_fuzz_smoke ${CMAKE_CURRENT_BINARY_DIR}/fuzz-smoke)
  # Executions per target after its corpus (at 300-3000 exec/s under ASan: a few seconds each).
  set(imsim_fuzz_smoke_runs 4000)
  add_test(NAME fuzz.corpus COMMAND imsim_fuzz_corpus ${imsim_fuzz_smoke}/corpus)
  set_tests_properties(fuzz.corpus PROPERTIES LABELS fuzz TIMEOUT 300 FIXTURES_SETUP imsim_fuzz_corpus)
  foreach(target scenario_loader history_reader failure_file frame_decoder)
    set(new ${imsim_fuzz_smoke}/new/${target})
    set(crashes ${imsim_fuzz_smoke}/crashes/${target})
    # New inputs go to a scratch dir (listed first), so the seed corpus stays as generated.
    add_test(NAME fuzz.${target}
             COMMAND /bin/sh -c "rm -rf \"$1\" && mkdir -p \"$1\" \"$2\" && exec \"$3\" -runs=${imsim_fuzz_smoke_runs} -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=\"$2/\" \"$1\" \"$4\""
                     sh ${new} ${crashes} $<TARGET_FILE:fuzz_${target}>
                     ${imsim_fuzz_smoke}/corpus/${target})
    set_tests_properties(fuzz.${target} PROPERTIES LABELS fuzz TIMEOUT 300
                         FIXTURES_REQUIRED imsim_fuzz_corpus)
  endforeach()
endif()
