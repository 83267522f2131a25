// AgentConnection (the loop of `steward agent run`) against a minimal in-process hub that
// speaks the device protocol's handshake and frames over a real Poco WebSocket: hello,
// execute over the socket, health, close codes, and the handshake refusals of §2.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>

#include "app/agent/agent_connection.hpp"
#include "core/devices/jsonrpc.hpp"
#include "tests/support/tool_call.hpp"

using nlohmann::json;
using namespace steward;
using namespace steward::agent;
using namespace std::chrono_literals;
using Poco::Net::WebSocket;

namespace {

// What the hub does with one accepted connection.
using Script = std::function<void(WebSocket&)>;

class HubHandler : public Poco::Net::HTTPRequestHandler {
 public:
  HubHandler(Script script, std::atomic<int>& connections) : script_(std::move(script)), connections_(connections) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    Poco::URI uri(req.getURI());
    std::string token;
    for (const auto& [k, v] : uri.getQueryParameters())
      if (k == "token") token = v;
    auto refuse = [&](Poco::Net::HTTPResponse::HTTPStatus status, const std::string& code) {
      resp.setStatusAndReason(status);
      resp.setContentType("application/json");
      resp.send() << json{{"error", {{"code", code}, {"message", code}}}}.dump();
    };
    if (uri.getPath() != "/device/ws") return refuse(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "not_found");
    if (token == "revoked") return refuse(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED, "invalid_token");
    if (token == "blocked") return refuse(Poco::Net::HTTPResponse::HTTP_FORBIDDEN, "device_blocked");
    ++connections_;
    WebSocket ws(req, resp);
    ws.setReceiveTimeout(Poco::Timespan(10, 0));
    try {
      script_(ws);
    } catch (const std::exception&) {
      // the test's checks report what went wrong
    }
  }

 private:
  Script script_;
  std::atomic<int>& connections_;
};

class FakeHub {
 public:
  explicit FakeHub(Script script) : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
     public:
      Factory(Script s, std::atomic<int>& c) : script(std::move(s)), connections(c) {}
      Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new HubHandler(script, connections);
      }
      Script script;
      std::atomic<int>& connections;
    };
    port_ = socket_.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(std::move(script), connections), socket_,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~FakeHub() { server_->stopAll(true); }
  std::string url(const std::string& path = "/device/ws") const {
    return "ws://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::atomic<int> connections{0};

 private:
  Poco::Net::ServerSocket socket_;
  int port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

json receive(WebSocket& ws) {
  for (;;) {
    Poco::Buffer<char> buf(0);
    int flags = 0;
    int n = ws.receiveFrame(buf, flags);
    if ((n == 0 && flags == 0) || (flags & WebSocket::FRAME_OP_BITMASK) == WebSocket::FRAME_OP_CLOSE) return nullptr;
    if ((flags & WebSocket::FRAME_OP_BITMASK) != WebSocket::FRAME_OP_TEXT) continue;
    return json::parse(std::string(buf.begin(), static_cast<std::size_t>(n)));
  }
}

void send(WebSocket& ws, const std::string& text) { ws.sendFrame(text.data(), static_cast<int>(text.size())); }

void close_with(WebSocket& ws, int code) {
  ws.shutdown(static_cast<Poco::UInt16>(code), "test");
}

AgentConfig config_for(const std::string& ws_url, const std::string& token = "good") {
  return AgentConfig{"127.0.0.1", 18780, "device_t", token, ws_url, "t"};
}

}  // namespace

TEST_CASE("agent connection: hello, execute over the socket, health, then close 4001 exits 3", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  json hello, result, health;
  std::string output;
  FakeHub hub([&](WebSocket& ws) {
    hello = receive(ws);
    send(ws, jsonrpc::result(hello["id"], {{"device_id", "device_t"}, {"status", "approved"},
                                           {"health_interval_s", 1}, {"ping_interval_s", 20}}));
    send(ws, jsonrpc::request("exec_w", "execute",
                              {{"execution_id", "exec_w"}, {"tool", "bash"}, {"args", {{"command", "echo hi"}}},
                               {"timeout_s", 10}}));
    for (json m = receive(ws); !m.is_null(); m = receive(ws)) {
      if (m.value("method", "") == "output") output += m["params"]["data"].get<std::string>();
      if (m.value("method", "") == "health") health = m;
      if (m.contains("result") && m["id"] == "exec_w") result = m["result"];
      if (!result.is_null() && !health.is_null()) break;
    }
    close_with(ws, 4001);
  });
  AgentConnection conn(*reg, config_for(hub.url()), read_host_facts());
  auto rc = std::async(std::launch::async, [&] { return conn.run(); });
  REQUIRE(rc.wait_for(20s) == std::future_status::ready);
  CHECK(rc.get() == kExitRepair);
  CHECK(hello["method"] == "hello");
  CHECK(hello["params"]["capabilities"].size() > 0);
  CHECK(output == "hi\n");
  CHECK(result["status"] == "completed");
  CHECK(health["params"].contains("cpu_percent"));
  CHECK(hub.connections == 1);
}

TEST_CASE("agent connection: a 401 handshake exits 3, a 404 exits 2", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  FakeHub hub([](WebSocket&) {});
  AgentConnection revoked(*reg, config_for(hub.url(), "revoked"), read_host_facts());
  CHECK(revoked.run() == kExitRepair);
  AgentConnection wrong_path(*reg, config_for(hub.url("/elsewhere")), read_host_facts());
  CHECK(wrong_path.run() == kExitUsage);
  AgentConnection wss(*reg, config_for("wss://127.0.0.1:1/device/ws"), read_host_facts());
  CHECK(wss.run() == kExitUsage);
  CHECK(hub.connections == 0);
}

TEST_CASE("agent connection: a normal close reconnects, and stop() ends run with 0", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  FakeHub hub([](WebSocket& ws) {
    json hello = receive(ws);
    send(ws, jsonrpc::result(hello["id"], {{"status", "pending"}}));
    close_with(ws, 1000);
  });
  AgentConnection conn(*reg, config_for(hub.url()), read_host_facts());
  auto rc = std::async(std::launch::async, [&] { return conn.run(); });
  // First retry after 0.5–1 s, the second after 1–2 s.
  for (int i = 0; i < 80 && hub.connections < 2; ++i) std::this_thread::sleep_for(100ms);
  CHECK(hub.connections >= 2);
  conn.stop();
  REQUIRE(rc.wait_for(5s) == std::future_status::ready);
  CHECK(rc.get() == kExitOk);
}

TEST_CASE("agent connection: stop() while connected closes and returns 0 at once", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  std::atomic<bool> closed{false};
  FakeHub hub([&](WebSocket& ws) {
    json hello = receive(ws);
    send(ws, jsonrpc::result(hello["id"], {{"status", "approved"}, {"health_interval_s", 60}}));
    for (json m = receive(ws); !m.is_null(); m = receive(ws)) {
    }
    closed = true;  // the agent's close frame arrived
  });
  AgentConnection conn(*reg, config_for(hub.url()), read_host_facts());
  auto rc = std::async(std::launch::async, [&] { return conn.run(); });
  for (int i = 0; i < 50 && hub.connections < 1; ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(300ms);
  auto started = std::chrono::steady_clock::now();
  conn.stop();
  REQUIRE(rc.wait_for(5s) == std::future_status::ready);
  CHECK(rc.get() == kExitOk);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  for (int i = 0; i < 30 && !closed; ++i) std::this_thread::sleep_for(100ms);
  CHECK(closed);
}
