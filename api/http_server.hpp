// The HTTP edge on Poco::Net::HTTPServer (DESIGN.md §5). Each connection is served by one
// pool thread for as long as it is kept alive, so a handler may block (?wait=1) without
// stalling other clients while the pool has threads; the pool is sized for that.
#pragma once

#include <memory>
#include <string>

#include "api/dispatcher.hpp"

namespace steward::api {

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  int port = 18780;  // 0 picks a free port; port() tells which
  int max_threads = 256;
  std::size_t max_body_bytes = 1 << 20;
  int keep_alive_timeout_s = 10;
};

class HttpServer {
 public:
  HttpServer(const Dispatcher& dispatcher, HttpServerOptions options);
  ~HttpServer();
  void start();
  // Stops accepting new connections; requests in progress go on.
  void stop_accepting();
  // Closes every connection (after in-progress requests had their chance to finish).
  void stop_all();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steward::api
