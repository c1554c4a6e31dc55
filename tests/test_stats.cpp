#include <catch2/catch.hpp>

#include "stats.hpp"

TEST_CASE("placeholder") { REQUIRE(parbench::quantile_sorted(std::vector<double>{1, 2, 3}, 0.5) == 2); }
