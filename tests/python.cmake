# The Python bindings' pytest suite and the executed notebooks (included from
# tests/CMakeLists.txt). Both use Debian's /usr/bin/python3 and the package built into
# ${CMAKE_BINARY_DIR}/bindings; scripts/setup-deps installs every Python dependency, so a
# missing one fails these tests (an import error), it never skips them.
if(NOT TARGET imsim_python)
  return()
endif()

set(imsim_pythonpath ${CMAKE_BINARY_DIR}/bindings)
set(imsim_python_env
    PYTHONPATH=${imsim_pythonpath}
    IMSIM_CLI=$<TARGET_FILE:imsim>
    PYTHONDONTWRITEBYTECODE=1
    PYDEVD_DISABLE_FILE_VALIDATION=1)

add_test(NAME python.bindings
         COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider
                 ${PROJECT_SOURCE_DIR}/bindings/tests
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(python.bindings PROPERTIES LABELS python TIMEOUT 300
                     ENVIRONMENT "${imsim_python_env};MPLBACKEND=Agg")

# Each notebook runs headless, top to bottom, into build/notebooks/ (the tree keeps them with
# outputs stripped). A cell that raises fails the test; its asserts check what its text says.
# Matplotlib uses the kernel's inline backend: non-interactive, and the executed notebook keeps
# the figures. Under a minute each on 2 cores (measured 5-35 s).
set(imsim_notebooks quickstart fanout_tradeoffs faults_and_mutants distributed_sweep)
foreach(nb ${imsim_notebooks})
  set(nb_file ${PROJECT_SOURCE_DIR}/notebooks/${nb}.ipynb)
  add_test(NAME notebook.${nb}
           COMMAND /usr/bin/jupyter-nbconvert --to notebook --execute
                   --ExecutePreprocessor.timeout=240 --ExecutePreprocessor.kernel_name=python3
                   --output-dir ${CMAKE_BINARY_DIR}/notebooks ${nb_file}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/notebooks)
  set_tests_properties(notebook.${nb} PROPERTIES LABELS notebooks TIMEOUT 300
                       ENVIRONMENT
                       "${imsim_python_env};MPLBACKEND=module://matplotlib_inline.backend_inline")
endforeach()
