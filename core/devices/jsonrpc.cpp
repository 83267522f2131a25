#include "core/devices/jsonrpc.hpp"

namespace steward::jsonrpc {

using nlohmann::json;

namespace {
// Tool output may hold any bytes; dump() must not throw on invalid UTF-8.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Message invalid(int code, std::string message, json id = nullptr) {
  Message m;
  m.kind = Message::Kind::Invalid;
  m.error_code = code;
  m.error_message = std::move(message);
  m.id = std::move(id);
  return m;
}
}  // namespace

std::string request(const json& id, std::string_view method, const json& params) {
  return dump({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
}

std::string notification(std::string_view method, const json& params) {
  return dump({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

std::string result(const json& id, const json& r) { return dump({{"jsonrpc", "2.0"}, {"id", id}, {"result", r}}); }

std::string error(const json& id, int code, std::string_view message) {
  return dump({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

Message parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return invalid(kParseError, "parse error: the message is not valid JSON");
  if (!j.is_object() || j.value("jsonrpc", json()) != "2.0")
    return invalid(kInvalidRequest, "invalid request: not a JSON-RPC 2.0 object");
  json id = j.contains("id") ? j["id"] : json();
  if (!id.is_null() && !id.is_string() && !id.is_number_integer())
    return invalid(kInvalidRequest, "invalid request: id must be a string or an integer");

  Message m;
  m.id = id;
  if (j.contains("method")) {
    if (!j["method"].is_string()) return invalid(kInvalidRequest, "invalid request: method must be a string", id);
    m.method = j["method"].get<std::string>();
    if (j.contains("params")) {
      if (!j["params"].is_object()) return invalid(kInvalidRequest, "invalid request: params must be an object", id);
      m.params = j["params"];
    }
    m.kind = j.contains("id") ? Message::Kind::Request : Message::Kind::Notification;
    return m;
  }
  if (j.contains("result")) {
    m.kind = Message::Kind::Result;
    m.result = j["result"];
    return m;
  }
  if (j.contains("error") && j["error"].is_object()) {
    m.kind = Message::Kind::Error;
    const json& e = j["error"];
    json code = e.value("code", json(0)), message = e.value("message", json(""));
    m.error_code = code.is_number_integer() ? code.get<int>() : 0;
    m.error_message = message.is_string() ? message.get<std::string>() : "";
    return m;
  }
  return invalid(kInvalidRequest, "invalid request: no method, result or error", id);
}

}  // namespace steward::jsonrpc
