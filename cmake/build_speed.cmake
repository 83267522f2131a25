# Build time: `make test` on a clean clone must fit in 15 minutes on 2 cores, and most of it is
# compiling. Two measures, measured per file on this machine (docs/decisions.md, "Build time"):
#  - Test code is compiled without optimisation. It waits on daemons and real processes; the
#    code under test (core, api, plugins) keeps its -O2. A large runtime test file went from
#    ~70 s to ~23 s.
#  - Precompiled headers for the heavy third-party headers every test file includes (Catch2,
#    nlohmann/json): another 15-25 % per file. Not for core/api/app: with the PCH, GCC 12's
#    -O2 reports a false -Warray-bounds on std::string concatenation (a known GCC 12 problem),
#    and the gain there was only ~10 %.
#  - Line-table debug info (-g1) in RelWithDebInfo: cmake/debug_info.cmake, included before
#    any target since a directory keeps the flags it saw.
# Sanitizer builds are Debug already; the PCH is harmless there.


set(STEWARD_COMMON_PCH <nlohmann/json.hpp> <string> <vector> <map> <memory> <optional> <functional> <mutex>)

if(STEWARD_BUILD_TESTS)
  foreach(t unit_tests runtime_tests test_support catch_main)
    target_compile_options(${t} PRIVATE $<$<NOT:$<CONFIG:Debug>>:-O0>)
  endforeach()
  foreach(t unit_tests runtime_tests)
    target_precompile_headers(${t} PRIVATE <catch2/catch.hpp> ${STEWARD_COMMON_PCH} <thread> <chrono> <filesystem>)
  endforeach()
endif()
