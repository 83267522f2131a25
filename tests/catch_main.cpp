// Catch2 v2 has no Catch2WithMain target; this file is the main (slow to compile, rarely edited).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
