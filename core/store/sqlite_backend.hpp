// The embedded default: one SQLite file in WAL mode, statements run on SQLite's own API.
#pragma once

#include <filesystem>
#include <memory>

#include "core/store/backend.hpp"

namespace steward::store {

// Opens (creating if needed) `file`.
std::unique_ptr<Backend> open_sqlite(const std::filesystem::path& file);

}  // namespace steward::store
