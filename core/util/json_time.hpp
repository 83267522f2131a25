// A time for a JSON answer: ISO 8601 (UTC, seconds), or null when there is none yet.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/util/clock.hpp"

namespace steward {

inline nlohmann::json iso8601_or_null(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(iso8601(*ms)) : nlohmann::json(nullptr);
}

}  // namespace steward
