# Compiler flags shared by every frontdoor target, and a helper that declares
# one library per area with them.
set(FRONTDOOR_WARNINGS -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual)
if(FRONTDOOR_WERROR)
  list(APPEND FRONTDOOR_WARNINGS -Werror)
endif()
# Clang's thread-safety analysis of the GUARDED_BY annotations
# (frontdoor/thread_annotations.h); deploy/test.sh runs a clang build with it.
if(FRONTDOOR_THREAD_SAFETY)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FRONTDOOR_THREAD_SAFETY needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  list(APPEND FRONTDOOR_WARNINGS -Wthread-safety)
endif()

if(FRONTDOOR_SANITIZE)
  string(REPLACE "," ";" _sanitizers "${FRONTDOOR_SANITIZE}")
  foreach(_s IN LISTS _sanitizers)
    add_compile_options(-fsanitize=${_s} -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${_s})
  endforeach()
endif()

# frontdoor_library(NAME SOURCES ... DEPS ...): a static library whose headers
# are included from the project root, e.g. "engine/store.h".
function(frontdoor_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${FRONTDOOR_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()
