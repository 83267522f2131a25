// The filesystem operations. Each takes checked args, acts only through the Sandbox and
// returns the structured result plus one human line; failures throw FsError.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sandbox.hpp"

namespace fs_tool {

struct Outcome {
  nlohmann::json result;
  std::string line;  // e.g. "wrote 12 bytes to /srv/x"
};

// Thrown when the run was cancelled during a long operation (recursive delete, list, checksum).
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

using CancelCheck = std::function<bool()>;

Outcome run_operation(const Sandbox& sandbox, const nlohmann::json& args, const CancelCheck& cancelled);

}  // namespace fs_tool
