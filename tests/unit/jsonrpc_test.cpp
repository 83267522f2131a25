// The device protocol's JSON-RPC 2.0 messages (docs/device-protocol.md §3): what parses as
// which kind, and the error code every malformed message is answered with.
#include <catch2/catch.hpp>

#include "core/devices/jsonrpc.hpp"

using namespace steward;
using Kind = jsonrpc::Message::Kind;
using nlohmann::json;

TEST_CASE("jsonrpc: requests, notifications, results and errors parse as such", "[unit][devices][jsonrpc]") {
  auto r = jsonrpc::parse(R"({"jsonrpc":"2.0","id":7,"method":"hello","params":{"a":1}})");
  CHECK(r.kind == Kind::Request);
  CHECK(r.id == 7);
  CHECK(r.method == "hello");
  CHECK(r.params["a"] == 1);
  auto n = jsonrpc::parse(R"({"jsonrpc":"2.0","method":"health","params":{}})");
  CHECK(n.kind == Kind::Notification);
  CHECK(n.id.is_null());
  auto no_params = jsonrpc::parse(R"({"jsonrpc":"2.0","id":"x","method":"ping"})");
  CHECK(no_params.kind == Kind::Request);
  CHECK(no_params.params == json::object());
  auto ok = jsonrpc::parse(R"({"jsonrpc":"2.0","id":"exec_1","result":{"status":"completed"}})");
  CHECK(ok.kind == Kind::Result);
  CHECK(ok.result["status"] == "completed");
  auto err = jsonrpc::parse(R"({"jsonrpc":"2.0","id":"exec_1","error":{"code":-32001,"message":"no tool"}})");
  CHECK(err.kind == Kind::Error);
  CHECK(err.error_code == -32001);
  CHECK(err.error_message == "no tool");
  auto bare = jsonrpc::parse(R"({"jsonrpc":"2.0","id":1,"error":{}})");
  CHECK(bare.kind == Kind::Error);
  CHECK(bare.error_code == 0);
}

TEST_CASE("jsonrpc: malformed messages come back invalid with the code to answer", "[unit][devices][jsonrpc]") {
  for (const char* text : {"", "{", "not json", "\xff\xfe"}) {
    auto m = jsonrpc::parse(text);
    CHECK(m.kind == Kind::Invalid);
    CHECK(m.error_code == jsonrpc::kParseError);
    CHECK(m.id.is_null());
  }
  for (const char* text : {R"([1,2])", R"({"id":1,"method":"x"})", R"({"jsonrpc":"1.0","id":1,"method":"x"})",
                           R"({"jsonrpc":"2.0","id":{},"method":"x"})", R"({"jsonrpc":"2.0","id":1,"method":5})",
                           R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})", R"({"jsonrpc":"2.0","id":1})"}) {
    auto m = jsonrpc::parse(text);
    CHECK(m.kind == Kind::Invalid);
    CHECK(m.error_code == jsonrpc::kInvalidRequest);
  }
  // The id is kept when it could be read, so the answer reaches the right request.
  CHECK(jsonrpc::parse(R"({"jsonrpc":"2.0","id":9,"method":"x","params":"p"})").id == 9);
}

TEST_CASE("jsonrpc: built messages round-trip and survive invalid UTF-8 in output", "[unit][devices][jsonrpc]") {
  auto req = jsonrpc::parse(jsonrpc::request("exec_1", "execute", {{"tool", "bash"}}));
  CHECK(req.kind == Kind::Request);
  CHECK(req.params["tool"] == "bash");
  auto note = jsonrpc::parse(jsonrpc::notification("output", {{"data", std::string("a\xff" "b")}}));
  CHECK(note.kind == Kind::Notification);
  CHECK(note.params["data"].get<std::string>().size() >= 2);  // replaced, not thrown
  auto res = jsonrpc::parse(jsonrpc::result(3, {{"ok", true}}));
  CHECK(res.kind == Kind::Result);
  CHECK(res.id == 3);
  auto e = jsonrpc::parse(jsonrpc::error(nullptr, jsonrpc::kParseError, "parse error"));
  CHECK(e.kind == Kind::Error);
  CHECK(e.error_code == -32700);
}
