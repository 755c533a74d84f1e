# imsim_module(<name> [DEPS <targets>...])
# Declares the library target imsim_<name> from <name>/src/*.cpp with public headers in
# <name>/include (included as <imsim/<name>/...>). A module without sources yet is an
# INTERFACE library, so the tree configures at every stage of its growth.
function(imsim_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  set(target imsim_${name})
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                         PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(imsim::${name} ALIAS ${target})
endfunction()

# imsim_tests(<module> [DEPS <targets>...])
# One GoogleTest/RapidCheck executable per module from tests/<module>/*.cpp, registered with
# ctest test-by-test.
function(imsim_tests module)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${module}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  set(exe imsim_${module}_tests)
  add_executable(${exe} ${srcs})
  target_link_libraries(${exe} PRIVATE ${ARG_DEPS} rapidcheck_gtest rapidcheck GTest::gtest
                                       GTest::gtest_main)
  target_include_directories(${exe} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/${module})
  target_compile_definitions(${exe} PRIVATE
    IMSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" IMSIM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${exe} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600 LABELS ${module})
endfunction()
