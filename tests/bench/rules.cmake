# Benchmarks of the rule engine (Google Benchmark; built, not run by ctest).
# Included from tests/bench/CMakeLists.txt; run from the project root:
#   build/tests/bench/rules_bench   (or wherever the including folder puts it)
if(NOT TARGET benchmark::benchmark)
  find_package(benchmark CONFIG)
endif()
if(TARGET benchmark::benchmark)
  add_executable(rules_bench ${CMAKE_CURRENT_LIST_DIR}/rules_bench.cc)
  target_compile_options(rules_bench PRIVATE ${FRONTDOOR_WARNINGS})
  target_link_libraries(rules_bench PRIVATE frontdoor_rules benchmark::benchmark)
  target_compile_definitions(rules_bench PRIVATE FRONTDOOR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
