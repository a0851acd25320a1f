# Warns at configure time when GCC would leave the exp_fast loop scalar: that happened silently
# once (the float clamps are only if-converted under -fno-trapping-math) and cost ~7x on every
# softmax, GELU and loss pass. Other compilers lack -fopt-info and are not checked.
function(neox_check_vectorisation flags)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  string(REPLACE ";" " " flag_string "${flags}")
  try_compile(probe_built ${CMAKE_CURRENT_BINARY_DIR}/vectorisation_probe
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cmake/vectorisation_probe.cpp
    CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${CMAKE_CURRENT_SOURCE_DIR}/src"
    COMPILE_DEFINITIONS -O3 ${flags} -fopt-info-vec-optimized
    CXX_STANDARD 17
    OUTPUT_VARIABLE probe_output)
  if(NOT probe_built)
    message(WARNING "vectorisation probe did not compile:\n${probe_output}")
  elseif(NOT probe_output MATCHES "vectorisation_probe.cpp:6:[0-9]+: optimized: loop vectorized")
    message(WARNING "GCC did not vectorise the exp_fast loop (native/cmake/vectorisation_probe.cpp) with "
                    "'${flag_string}': softmax, GELU and loss passes will run several times slower. Check that "
                    "-fno-trapping-math reaches the compiler and that exp_fast stays branch-free.")
  else()
    message(STATUS "exp_fast loop vectorises with '${flag_string}'")
  endif()
endfunction()
