# The SDK as a plugin author sees it, as CTest fixtures run in this order:
#   sdk_install            cmake --install <build> --component sdk --prefix <build>/sdk-prefix
#   hello_plugin_build     configures and builds docs/examples/hello-plugin against that
#                          prefix (and checks it was that SDK, not the source tree)
#   hello_plugin_in_daemon runtime_tests "[sdk]": a real daemon loads and runs hello.so
#
# This file is also the script hello_plugin_build runs (cmake -P), below.

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode. In: SOURCE, BINARY, PREFIX, GENERATOR, BUILD_TYPE, CXX_COMPILER.
  file(REMOVE_RECURSE "${BINARY}")  # a fresh configure each time: no stale cache
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" -G "${GENERATOR}"
            "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
            "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    COMMAND_ERROR_IS_FATAL ANY)
  file(STRINGS "${BINARY}/CMakeCache.txt" sdk_dir REGEX "^StewardSDK_DIR:")
  string(REGEX REPLACE "^[^=]*=" "" sdk_dir "${sdk_dir}")
  file(REAL_PATH "${PREFIX}" prefix_real)
  file(REAL_PATH "${sdk_dir}" sdk_dir_real)
  string(FIND "${sdk_dir_real}/" "${prefix_real}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "the example found StewardSDK in '${sdk_dir}', not in the installed prefix '${PREFIX}'")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}" COMMAND_ERROR_IS_FATAL ANY)
  if(NOT EXISTS "${BINARY}/hello.so")
    message(FATAL_ERROR "the example built no ${BINARY}/hello.so")
  endif()
  message(STATUS "built ${BINARY}/hello.so against ${sdk_dir}")
  return()
endif()

set(STEWARD_SDK_PREFIX ${CMAKE_BINARY_DIR}/sdk-prefix)
set(STEWARD_HELLO_BUILD_DIR ${CMAKE_BINARY_DIR}/hello-plugin-build)

add_test(NAME sdk_install
  COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --component sdk --prefix ${STEWARD_SDK_PREFIX})
set_tests_properties(sdk_install PROPERTIES FIXTURES_SETUP steward_sdk)

add_test(NAME hello_plugin_build
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE=${PROJECT_SOURCE_DIR}/docs/examples/hello-plugin
    -DBINARY=${STEWARD_HELLO_BUILD_DIR}
    -DPREFIX=${STEWARD_SDK_PREFIX}
    -DGENERATOR=${CMAKE_GENERATOR}
    -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
    -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(hello_plugin_build PROPERTIES
  FIXTURES_REQUIRED steward_sdk FIXTURES_SETUP hello_plugin TIMEOUT 300)

add_test(NAME hello_plugin_in_daemon COMMAND runtime_tests "[sdk]")
set_tests_properties(hello_plugin_in_daemon PROPERTIES
  FIXTURES_REQUIRED "steward_sdk;hello_plugin" TIMEOUT 180)
