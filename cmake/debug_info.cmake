# Line-table debug info (-g1) instead of full (-g) in RelWithDebInfo, for build time (see
# cmake/build_speed.cmake): backtraces and perf still name functions and lines; variables are
# not inspectable in gdb. -g1 cut a heavy API file from 8.9 s to 6.6 s (-26 %) on this machine.
# Configure with -DSTEWARD_FULL_DEBUG_INFO=ON to debug a release build fully.
option(STEWARD_FULL_DEBUG_INFO "full -g debug info in RelWithDebInfo builds" OFF)
if(NOT STEWARD_FULL_DEBUG_INFO)
  string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
  string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2" CMAKE_C_FLAGS_RELWITHDEBINFO "${CMAKE_C_FLAGS_RELWITHDEBINFO}")
endif()
