#include "api/http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <istream>

#include "core/util/ids.hpp"
#include "core/util/log.hpp"

namespace steward::api {

namespace {

void send(Poco::Net::HTTPServerResponse& out, const Response& r, const std::string& request_id) {
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
  out.setContentType(r.content_type);
  out.set("X-Request-Id", request_id);
  for (const auto& [k, v] : r.headers) out.set(k, v);
  if (r.stream) {
    out.setChunkedTransferEncoding(true);
    out.setKeepAlive(false);  // a stream ends with its connection
    std::ostream& body = out.send();
    try {
      r.stream(body);
    } catch (const std::exception&) {  // the client went away mid-write
    }
    return;
  }
  out.setContentLength(static_cast<std::streamsize>(r.body.size()));
  out.send().write(r.body.data(), static_cast<std::streamsize>(r.body.size()));
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const Dispatcher& d, std::size_t max_body) : dispatcher_(d), max_body_(max_body) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    auto started = std::chrono::steady_clock::now();
    Request req;
    req.request_id = random_base32(12);
    // Log lines written while this request is handled carry its id (the X-Request-Id answer header).
    LogRequestScope log_scope(req.request_id);
    req.method = in.getMethod();
    req.client_address = in.clientAddress().host().toString();
    try {
      Poco::URI uri(in.getURI());
      req.path = uri.getPath();
      for (const auto& [k, v] : uri.getQueryParameters()) req.query[k] = v;
    } catch (const std::exception&) {
      send(out, error_response(400, "invalid_request", "the request URI is malformed"), req.request_id);
      dispatcher_.observe(req.method, "rejected", 400, started);
      return;
    }
    for (const auto& [k, v] : in) {
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      req.headers[name] = v;
    }
    if ((in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(max_body_)) ||
        !read_body(in, req.body)) {
      too_large(out, req.request_id);
      dispatcher_.observe(req.method, "rejected", 413, started);
      return;
    }
    send(out, dispatcher_.dispatch(req), req.request_id);
  }

 private:
  void too_large(Poco::Net::HTTPServerResponse& out, const std::string& request_id) {
    out.setKeepAlive(false);  // the unread rest of the body would be taken for the next request
    send(out, error_response(413, "payload_too_large", "the request body exceeds " + std::to_string(max_body_) + " bytes"),
         request_id);
  }

  // HTTP/1.1: a request has a body only with Content-Length or chunked transfer encoding;
  // without either (curl -X POST with no data) there is none, and reading would wait for
  // the client to close the connection. False when the body exceeds max_body_.
  bool read_body(Poco::Net::HTTPServerRequest& in, std::string& body) const {
    std::istream& stream = in.stream();
    if (in.hasContentLength()) {
      body.resize(static_cast<std::size_t>(in.getContentLength64()));
      stream.read(body.data(), static_cast<std::streamsize>(body.size()));
      body.resize(static_cast<std::size_t>(stream.gcount()));
      return true;
    }
    if (!in.getChunkedTransferEncoding()) return true;
    char chunk[16384];
    while (stream.read(chunk, sizeof chunk) || stream.gcount() > 0) {
      body.append(chunk, static_cast<std::size_t>(stream.gcount()));
      if (body.size() > max_body_) return false;
    }
    return true;
  }

  const Dispatcher& dispatcher_;
  std::size_t max_body_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const Dispatcher& d, std::size_t max_body) : dispatcher_(d), max_body_(max_body) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(dispatcher_, max_body_);
  }

 private:
  const Dispatcher& dispatcher_;
  std::size_t max_body_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(const Dispatcher& d, const HttpServerOptions& o)
      : options(o),
        socket(Poco::Net::SocketAddress(o.bind, static_cast<Poco::UInt16>(o.port)), 128),
        pool("http", 2, o.max_threads, 60) {
    auto* params = new Poco::Net::HTTPServerParams();
    params->setMaxThreads(o.max_threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);  // unlimited requests per connection
    params->setKeepAliveTimeout(Poco::Timespan(o.keep_alive_timeout_s, 0));
    params->setTimeout(Poco::Timespan(60, 0));
    server = std::make_unique<Poco::Net::HTTPServer>(new Factory(d, o.max_body_bytes), pool, socket, params);
  }
  HttpServerOptions options;
  Poco::Net::ServerSocket socket;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  bool stopped = false;
};

HttpServer::HttpServer(const Dispatcher& dispatcher, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, options)) {}

HttpServer::~HttpServer() { stop_all(); }

void HttpServer::start() { impl_->server->start(); }

void HttpServer::stop_accepting() { impl_->server->stop(); }

void HttpServer::stop_all() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stopAll(true);
  impl_->pool.joinAll();
}

int HttpServer::port() const { return impl_->socket.address().port(); }

}  // namespace steward::api
