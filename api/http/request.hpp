// The HTTP edge's own request and response types. Handlers see only these, never Poco's,
// so routes can be tested without a server and the server library can change.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/keys/key_store.hpp"

namespace steward::api {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::map<std::string, std::string> params;   // from the route pattern, e.g. {id}
  std::optional<Principal> principal;          // set when the route needs a key
  std::string request_id;
  std::string client_address;  // the peer's IP (no port); rate limits key on it

  std::string query_or(const std::string& name, const std::string& fallback) const;
  std::optional<std::string> header(const std::string& lower_name) const;
  // The body as JSON; throws ApiError 400 invalid_json when it is not.
  nlohmann::json json_body() const;
  // The body as a JSON object; 400 for anything else.
  nlohmann::json json_object_body() const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // A streamed response (SSE): when set, the server sends the headers with chunked
  // encoding and calls this on the connection's thread; it writes and flushes as it goes
  // and returns when done or when the stream goes bad (the client left).
  std::function<void(std::ostream&)> stream;

  static Response json(int status, const nlohmann::json& value);
};

// Thrown by handlers for a client-facing error; the dispatcher turns it into
// {"error":{"code","message"[,"field"]}} with `status`.
class ApiError : public std::runtime_error {
 public:
  ApiError(int http_status, std::string error_code, std::string message, std::string field_path = "")
      : std::runtime_error(message), status(http_status), code(std::move(error_code)), field(std::move(field_path)) {}
  int status;
  std::string code;
  std::string field;
};

Response error_response(int status, const std::string& code, const std::string& message,
                        const std::string& field = "");

}  // namespace steward::api
