#include "api/device_ws_server.hpp"

#include <Poco/Buffer.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "core/util/log.hpp"

namespace steward::api {

namespace {

using Poco::Net::WebSocket;

class WsConnection final : public DeviceConnection {
 public:
  explicit WsConnection(WebSocket& ws) : ws_(ws) {}

  bool send_text(const std::string& text) override {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    try {
      ws_.sendFrame(text.data(), static_cast<int>(text.size()), WebSocket::FRAME_TEXT);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  void close(int code, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    try {
      ws_.shutdown(static_cast<Poco::UInt16>(code), reason);
    } catch (const std::exception&) {
    }
    // Wakes the reader blocked in receiveFrame(): the connection is over for us.
    try {
      ws_.shutdownReceive();
    } catch (const std::exception&) {
    }
  }

  void pong(const char* data, int n) {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    try {
      ws_.sendFrame(data, n, static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PONG));
    } catch (const std::exception&) {
    }
  }

  // The reader is about to return: nobody may touch the socket after that.
  void detach() {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }

 private:
  std::mutex mutex_;
  WebSocket& ws_;
  bool closed_ = false;
};

void refuse(Poco::Net::HTTPServerResponse& out, int status, const std::string& code, const std::string& message) {
  std::string body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  out.setContentType("application/json");
  out.setKeepAlive(false);
  out.setContentLength(static_cast<std::streamsize>(body.size()));
  out.send() << body;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(DeviceHub& hub, int max_frame) : hub_(hub), max_frame_(max_frame) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    std::string token;
    try {
      Poco::URI uri(in.getURI());
      if (uri.getPath() != "/device/ws") return refuse(out, 404, "not_found", "the device endpoint is /device/ws");
      for (const auto& [k, v] : uri.getQueryParameters())
        if (k == "token") token = v;
    } catch (const std::exception&) {
      return refuse(out, 400, "invalid_request", "the request URI is malformed");
    }
    if (token.empty()) return refuse(out, 401, "invalid_token", "a device token is required (?token=)");
    DeviceHub::Admit admit = hub_.admit(token);
    if (admit.result == DeviceHub::Admission::InvalidToken)
      return refuse(out, 401, "invalid_token", "the device token is unknown or revoked; pair the device again");
    if (admit.result == DeviceHub::Admission::Blocked)
      return refuse(out, 403, "device_blocked", "this device is blocked");

    std::unique_ptr<WebSocket> ws;
    try {
      ws = std::make_unique<WebSocket>(in, out);
    } catch (const Poco::Net::WebSocketException& e) {
      return refuse(out, 400, "not_websocket", std::string("a WebSocket upgrade is required: ") + e.message());
    }
    ws->setMaxPayloadSize(max_frame_);
    auto conn = std::make_shared<WsConnection>(*ws);
    std::uint64_t id = hub_.attach(admit.device_id, conn);
    std::string why;
    Poco::Buffer<char> buffer(0);
    for (;;) {
      int flags = 0;
      int n = 0;
      buffer.resize(0);
      try {
        n = ws->receiveFrame(buffer, flags);
      } catch (const Poco::TimeoutException&) {
        continue;  // liveness is the hub's sweeper's business
      } catch (const Poco::Net::WebSocketException& e) {
        why = e.message();
        conn->close(1009, "frame too large or malformed");
        break;
      } catch (const std::exception& e) {
        why = e.what();
        break;
      }
      int op = flags & WebSocket::FRAME_OP_BITMASK;
      if (n == 0 && flags == 0) {
        why = "connection closed";
        break;
      }
      if (op == WebSocket::FRAME_OP_CLOSE) {
        why = "closed by the agent";
        conn->close(1000, "bye");
        break;
      }
      if (op == WebSocket::FRAME_OP_PING) {
        conn->pong(buffer.begin(), n);
        continue;
      }
      if (op == WebSocket::FRAME_OP_TEXT || op == WebSocket::FRAME_OP_BINARY)
        hub_.received(id, std::string_view(buffer.begin(), static_cast<std::size_t>(n)));
    }
    conn->detach();
    hub_.closed(id, why);
  }

 private:
  DeviceHub& hub_;
  int max_frame_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(DeviceHub& hub, int max_frame) : hub_(hub), max_frame_(max_frame) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(hub_, max_frame_);
  }

 private:
  DeviceHub& hub_;
  int max_frame_;
};

}  // namespace

struct DeviceWsServer::Impl {
  Impl(DeviceHub& hub, const DeviceServerOptions& o)
      : socket(Poco::Net::SocketAddress(o.bind, static_cast<Poco::UInt16>(o.port)), 1024),
        // Each connected agent holds a thread blocked in receiveFrame(); a small stack keeps
        // a thousand of them cheap (bench/devices.sh measures it).
        pool("devices", 2, o.max_connections, 60, 256 * 1024) {
    auto* params = new Poco::Net::HTTPServerParams();
    params->setMaxThreads(o.max_connections);
    params->setMaxQueued(o.max_connections);
    params->setKeepAlive(false);
    params->setTimeout(Poco::Timespan(60, 0));
    server = std::make_unique<Poco::Net::HTTPServer>(new Factory(hub, o.max_frame_bytes), pool, socket, params);
  }
  Poco::Net::ServerSocket socket;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  bool stopped = false;
};

DeviceWsServer::DeviceWsServer(DeviceHub& hub, DeviceServerOptions options)
    : impl_(std::make_unique<Impl>(hub, options)) {}

DeviceWsServer::~DeviceWsServer() { stop(); }

void DeviceWsServer::start() { impl_->server->start(); }

void DeviceWsServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stopAll(true);
  impl_->pool.joinAll();
}

int DeviceWsServer::port() const { return impl_->socket.address().port(); }

}  // namespace steward::api
