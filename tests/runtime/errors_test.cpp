// Bad input gets a clear JSON error with the right status, and nothing stored changes.
#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>

#include "tests/support/daemon.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {
// Every error has the one shape {"error":{"code","message"}}.
json error_of(const HttpResult& r) {
  auto j = r.json();
  REQUIRE(j.contains("error"));
  REQUIRE(j["error"]["code"].is_string());
  REQUIRE(j["error"]["message"].is_string());
  return j["error"];
}
const json kValid = {{"name", "ok"}, {"type", "script"}, {"params", {{"command", "echo ok"}}}};
}  // namespace

TEST_CASE("create refuses bad bodies naming the field", "[runtime][errors]") {
  Daemon d;
  auto post_raw = [&](const std::string& body) {
    return http(d.port(), "POST", "/api/automations", body,
                {{"Authorization", "Bearer " + d.admin_key()}, {"Content-Type", "application/json"}});
  };
  auto r = post_raw("{\"name\": ");
  CHECK(r.status == 400);
  CHECK(error_of(r)["code"] == "invalid_json");
  CHECK(error_of(post_raw(""))["code"] == "invalid_json");
  CHECK(error_of(post_raw("[1,2]"))["code"] == "invalid_request");

  struct Case {
    json body;
    std::string field;
  };
  std::vector<Case> cases = {
      {{{"type", "script"}, {"params", {{"command", "x"}}}}, "name"},
      {{{"name", ""}, {"type", "script"}, {"params", {{"command", "x"}}}}, "name"},
      {{{"name", "n"}, {"type", "nope"}}, "type"},
      {{{"name", "n"}, {"type", "script"}, {"params", json::object()}}, "params.command"},
      {{{"name", "n"}, {"type", "script"}, {"params", {{"command", 42}}}}, "params.command"},
      {{{"name", "n"}, {"type", "script"}, {"params", {{"command", "x"}, {"shell", "zsh"}}}}, "params.shell"},
      {{{"name", "n"}, {"type", "script"}, {"params", {{"command", "x"}}}, {"timeout", 0}}, "timeout"},
      {{{"name", "n"}, {"type", "script"}, {"params", {{"command", "x"}}}, {"target", "device:abc"}}, "target"},
      {{{"name", "n"}, {"type", "script"}, {"params", {{"command", "x"}}}, {"colour", "red"}}, "colour"},
      {{{"name", "n"}, {"type", "script"}, {"params", {{"command", "x"}}}, {"tags", {1}}}, "tags[0]"},
      {{{"name", "n"}, {"type", "sequence"}, {"params", {{"steps", {{{"tool", "nope"}}}}}}}, "plan step 1"},
      {{{"name", "n"}, {"type", "sequence"}, {"params", {{"steps", {{{"tool", "bash"}, {"args", json::object()}}}}}}},
       "plan step 1 (bash) args.command"},
  };
  for (const auto& c : cases) {
    INFO(c.body.dump());
    auto res = d.api("POST", "/api/automations", c.body);
    CHECK(res.status == 400);
    auto err = error_of(res);
    CHECK(err["code"] == "invalid_field");
    CHECK(err["field"] == c.field);
    CHECK(err["message"].get<std::string>().find(c.field) == 0);
  }
  CHECK(d.api("GET", "/api/automations").json().empty());  // nothing was stored
}

TEST_CASE("unknown ids are 404 on every automation and run endpoint", "[runtime][errors]") {
  Daemon d;
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/automations/auto_missing"},
           {"DELETE", "/api/automations/auto_missing"},
           {"POST", "/api/automations/auto_missing/run"},
           {"GET", "/api/automations/auto_missing/runs"},
           {"GET", "/api/automations/runs/run_missing"},
           {"POST", "/api/automations/runs/run_missing/cancel"},
           {"GET", "/api/no/such/endpoint"}}) {
    INFO(method << " " << path);
    auto r = d.api(method, path);
    CHECK(r.status == 404);
    CHECK(error_of(r)["code"] == "not_found");
  }
  auto put = d.api("PUT", "/api/automations/auto_missing", kValid);
  CHECK(put.status == 404);
}

TEST_CASE("auth: no key, a malformed header, a wrong key are 401, a read-only key is 403 on writes", "[runtime][errors]") {
  Daemon d;
  auto none = http(d.port(), "GET", "/api/automations");
  CHECK(none.status == 401);
  CHECK(error_of(none)["code"] == "unauthorized");
  CHECK(none.headers["WWW-Authenticate"].find("Bearer") == 0);
  CHECK(http(d.port(), "GET", "/api/automations", "", {{"Authorization", "Basic abc"}}).status == 401);
  CHECK(http(d.port(), "GET", "/api/automations", "", {{"Authorization", "Bearer " + d.admin_key() + "x"}}).status == 401);
  CHECK(http(d.port(), "GET", "/health").status == 200);  // the one public endpoint

  auto made = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "view-only", "--name", "viewer"});
  REQUIRE(made.exit_code == 0);
  std::string viewer = last_line(made.out);
  CHECK(d.api_as(viewer, "GET", "/api/automations").status == 200);
  auto denied = d.api_as(viewer, "POST", "/api/automations", kValid);
  CHECK(denied.status == 403);
  CHECK(error_of(denied)["code"] == "forbidden");
  CHECK(d.api("GET", "/api/automations").json().empty());
}

TEST_CASE("wrong method is 405 with Allow, an oversized body is 413", "[runtime][errors]") {
  Daemon d(DaemonOptions{"", {"--max-body-bytes", "2048"}, {}});
  auto r = d.api("PATCH", "/api/automations");
  CHECK(r.status == 405);
  CHECK(error_of(r)["code"] == "method_not_allowed");
  CHECK(r.headers["Allow"].find("GET") != std::string::npos);
  CHECK(r.headers["Allow"].find("POST") != std::string::npos);

  json big = kValid;
  big["params"]["command"] = "echo " + std::string(4000, 'a');
  auto too_big = d.api("POST", "/api/automations", big);
  CHECK(too_big.status == 413);
  CHECK(error_of(too_big)["code"] == "payload_too_large");
  CHECK(d.api("POST", "/api/automations", kValid).status == 201);  // the server is fine afterwards
}

TEST_CASE("a failed update leaves the stored automation unchanged", "[runtime][errors]") {
  Daemon d;
  std::string id = d.api("POST", "/api/automations", kValid).json()["id"];
  json bad = kValid;
  bad["params"] = {{"command", ""}};
  CHECK(d.api("PUT", "/api/automations/" + id, bad).status == 400);
  auto stored = d.api("GET", "/api/automations/" + id).json();
  CHECK(stored["params"]["command"] == "echo ok");
  CHECK(stored["name"] == "ok");
}

TEST_CASE("a POST without Content-Length and without a body is answered at once", "[runtime][errors]") {
  Daemon d;
  std::string id = d.api("POST", "/api/automations", kValid).json()["id"];
  // What `curl -X POST URL` sends: no body, no Content-Length, no chunked encoding.
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(d.port())));
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string request = "POST /api/automations/" + id + "/run HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                        d.admin_key() + "\r\n\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  char buf[4096];
  int n = socket.receiveBytes(buf, sizeof buf);  // throws TimeoutException after 5 s if the server waits for a body
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("a chunked body is read, and one over the limit is 413", "[runtime][errors]") {
  Daemon d(DaemonOptions{"", {"--max-body-bytes", "2048"}, {}});
  auto send_chunked = [&](const std::string& body) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(d.port()));
    Poco::Net::HTTPRequest req("POST", "/api/automations", Poco::Net::HTTPMessage::HTTP_1_1);
    req.setChunkedTransferEncoding(true);
    req.set("Authorization", "Bearer " + d.admin_key());
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    session.receiveResponse(resp);
    return static_cast<int>(resp.getStatus());
  };
  CHECK(send_chunked(kValid.dump()) == 201);
  json big = kValid;
  big["params"]["command"] = std::string(5000, 'x');
  CHECK(send_chunked(big.dump()) == 413);
}
