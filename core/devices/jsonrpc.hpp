// JSON-RPC 2.0 messages as the device protocol uses them (docs/device-protocol.md): one
// message per WebSocket text frame, no batches. Shared by the hub and the agent.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace steward::jsonrpc {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kToolNotLoaded = -32001;
inline constexpr int kUnknownExecution = -32002;
inline constexpr int kNotAllowedNow = -32003;

std::string request(const nlohmann::json& id, std::string_view method, const nlohmann::json& params);
std::string notification(std::string_view method, const nlohmann::json& params);
std::string result(const nlohmann::json& id, const nlohmann::json& result);
std::string error(const nlohmann::json& id, int code, std::string_view message);

struct Message {
  enum class Kind { Request, Notification, Result, Error, Invalid };
  Kind kind = Kind::Invalid;
  nlohmann::json id;  // null for notifications (and unparseable messages)
  std::string method;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json result;
  int error_code = 0;  // Error: the peer's code; Invalid: kParseError or kInvalidRequest
  std::string error_message;
};

// Never throws: a message that is not JSON or not JSON-RPC 2.0 comes back Invalid with
// the code to answer it with.
Message parse(std::string_view text);

}  // namespace steward::jsonrpc
