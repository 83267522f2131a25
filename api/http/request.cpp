#include "api/http/request.hpp"

namespace steward::api {

std::string Request::query_or(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::optional<std::string> Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

nlohmann::json Request::json_body() const {
  if (body.empty()) throw ApiError(400, "invalid_json", "the request body is empty; a JSON object is expected");
  auto value = nlohmann::json::parse(body, nullptr, false);
  if (value.is_discarded()) throw ApiError(400, "invalid_json", "the request body is not valid JSON");
  return value;
}

nlohmann::json Request::json_object_body() const {
  auto value = json_body();
  if (!value.is_object()) throw ApiError(400, "invalid_request", "the request body must be a JSON object");
  return value;
}

Response Response::json(int status, const nlohmann::json& value) {
  Response r;
  r.status = status;
  // Run output is bytes: a tool may print invalid UTF-8, which JSON cannot carry. It is
  // answered as U+FFFD rather than failing the whole answer.
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(int status, const std::string& code, const std::string& message, const std::string& field) {
  nlohmann::json err = {{"code", code}, {"message", message}};
  if (!field.empty()) err["field"] = field;
  return Response::json(status, {{"error", err}});
}

}  // namespace steward::api
