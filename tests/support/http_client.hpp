// A small blocking HTTP/1.1 client for tests (Poco::Net), one connection per call.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace steward::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

HttpResult http(int port, const std::string& method, const std::string& path, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {});

// Same, with "Authorization: Bearer <key>" and a JSON body when `body` is not null.
HttpResult api(int port, const std::string& key, const std::string& method, const std::string& path,
               const nlohmann::json& body = nullptr);

}  // namespace steward::test
