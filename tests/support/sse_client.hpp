// A test client for server-sent events: one GET over a real connection, events read one
// at a time as they arrive (each with the time it arrived), so tests can tell streamed
// output from output delivered at the end.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace steward::test {

struct SseEvent {
  std::string type;  // "" for plain data events
  std::string data;
  std::string id;
  std::chrono::steady_clock::time_point arrived;
};

class SseClient {
 public:
  SseClient(int port, const std::string& path, const std::map<std::string, std::string>& headers = {});
  ~SseClient();
  int status() const { return status_; }
  std::string content_type() const { return content_type_; }
  // The next event, or nullopt when the stream closed (or nothing came for 60 s).
  std::optional<SseEvent> next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int status_ = 0;
  std::string content_type_;
};

}  // namespace steward::test
