// The llm tool against a real HTTP server: tests/support/fake_openai.py, spawned as a
// process, speaking the OpenAI chat-completions protocol (streamed and not) with special
// prompts for failures. Plus the plugin's pure SSE/JSON protocol code on literal texts.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "plugins/llm/openai_protocol.cpp"  // pure; compiled in here since tests/CMakeLists.txt globs only tests
#include "tests/support/temp_dir.hpp"
#include "tests/support/fake_openai_process.hpp"
#include "tests/support/tool_call.hpp"

extern char** environ;

using nlohmann::json;
using namespace steward;
using namespace steward::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kKey = "sk-test-SECRET-4711";


// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

// Records each output chunk with its arrival time; can cancel after N chunks or on demand.
class TimedCall : public CallContext {
 public:
  bool on_output(steward_stream, std::string_view chunk) override {
    std::lock_guard lock(m);
    chunks.emplace_back(std::string(chunk), Clock::now());
    if (cancel_after > 0 && chunks.size() >= cancel_after && !cancel) {
      cancel = true;
      cancelled_at = Clock::now();
    }
    return !cancel;
  }
  bool cancelled() const override { return cancel; }
  std::string text() {
    std::lock_guard lock(m);
    std::string s;
    for (auto& c : chunks) s += c.first;
    return s;
  }
  std::mutex m;
  std::vector<std::pair<std::string, Clock::time_point>> chunks;
  size_t cancel_after = 0;
  std::atomic<bool> cancel{false};
  Clock::time_point cancelled_at;
};

json llm_config(const std::string& base_url, json extra = json::object()) {
  json c = {{"base_url", base_url}, {"api_key", kKey}};
  c.update(extra);
  return json{{"llm", c}};
}

void no_key_anywhere(const ToolCallResult& r) {
  CHECK(r.out.find(kKey) == std::string::npos);
  CHECK(r.err.find(kKey) == std::string::npos);
  CHECK(r.error.find(kKey) == std::string::npos);
  CHECK(r.result.find(kKey) == std::string::npos);
}

std::vector<json> read_log(const std::string& file) {
  std::vector<json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("llm: a streamed answer arrives delta by delta and the result holds the whole content", "[unit][llm]") {
  TempDir dir;
  const std::string log = dir.str() + "/requests.jsonl";
  FakeOpenAI server({"--key", kKey, "--log", log});
  auto reg = in_tree_plugins(llm_config(server.base_url(), {{"model", "cfg-model"}, {"system_prompt", "Be brief."}}));
  const Plugin* tool = reg->tool("llm");
  REQUIRE(tool != nullptr);

  TimedCall call;
  auto rc = tool->run(call, json{{"prompt", "echo:one two three four five"}}.dump());
  INFO(call.error);
  REQUIRE(rc == STEWARD_OK);
  CHECK(call.text() == "one two three four five");
  // Streaming is real: several chunks, the last arriving well after the first.
  REQUIRE(call.chunks.size() >= 4);
  CHECK(call.chunks.back().second - call.chunks.front().second >= std::chrono::milliseconds(40));

  json result = json::parse(call.result);
  CHECK(result["content"] == "one two three four five");
  CHECK(result["model"] == "cfg-model");
  CHECK(result["finish_reason"] == "stop");
  CHECK(result["usage"]["total_tokens"].is_number());

  auto requests = read_log(log);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0]["path"] == "/v1/chat/completions");
  CHECK(requests[0]["authorization"] == "Bearer " + kKey);
  const json& body = requests[0]["body"];
  CHECK(body["stream"] == true);
  CHECK(body["model"] == "cfg-model");
  CHECK(body["messages"] == json::array({{{"role", "system"}, {"content", "Be brief."}},
                                         {{"role", "user"}, {"content", "echo:one two three four five"}}}));
  CHECK_FALSE(body.contains("max_tokens"));
}

TEST_CASE("llm: a non-streamed answer is output at once and args override the config", "[unit][llm]") {
  TempDir dir;
  const std::string log = dir.str() + "/requests.jsonl";
  FakeOpenAI server({"--key", kKey, "--log", log});
  auto reg = in_tree_plugins(
      llm_config(server.base_url() + "/", {{"model", "cfg-model"}, {"system_prompt", "cfg"}, {"max_tokens", 50}}));
  auto r = call_tool(*reg, "llm",
                     {{"prompt", "echo:hello world"},
                      {"stream", false},
                      {"model", "arg-model"},
                      {"system", ""},
                      {"max_tokens", 7},
                      {"temperature", 0.25}});
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(r.out == "hello world");
  CHECK(r.result_json()["content"] == "hello world");
  CHECK(r.result_json()["model"] == "arg-model");
  CHECK(r.result_json()["usage"]["completion_tokens"] == 2);
  no_key_anywhere(r);

  auto requests = read_log(log);
  REQUIRE(requests.size() == 1);
  const json& body = requests[0]["body"];
  CHECK(body["stream"] == false);
  CHECK(body["model"] == "arg-model");
  CHECK(body["max_tokens"] == 7);
  CHECK(body["temperature"] == 0.25);
  // An empty "system" arg sends no system message, whatever the config says.
  CHECK(body["messages"] == json::array({{{"role", "user"}, {"content", "echo:hello world"}}}));
}

TEST_CASE("llm: without a key no Authorization header is sent, and the config max_tokens applies", "[unit][llm]") {
  TempDir dir;
  const std::string log = dir.str() + "/requests.jsonl";
  FakeOpenAI server({"--log", log});
  auto reg = in_tree_plugins(json{{"llm", {{"base_url", server.base_url()}, {"max_tokens", 50}}}});
  auto r = call_tool(*reg, "llm", {{"prompt", "hi"}});
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(r.out == "Hello from the fake server.");
  CHECK(r.result_json()["model"] == "fake-model");  // none configured: the server's name
  auto requests = read_log(log);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0]["authorization"].is_null());
  CHECK_FALSE(requests[0]["body"].contains("model"));
  CHECK(requests[0]["body"]["max_tokens"] == 50);
}

TEST_CASE("llm: server errors give clear failures and never show the API key", "[unit][llm]") {
  FakeOpenAI server({"--key", kKey});

  SECTION("401 with a wrong key: the server's message, with the key it echoed redacted") {
    // The fake server quotes the key it received; this one is wrong but still secret.
    const std::string wrong = "sk-wrong-SECRET-0815";
    auto reg = in_tree_plugins(json{{"llm", {{"base_url", server.base_url()}, {"api_key", wrong}}}});
    for (bool stream : {true, false}) {
      auto r = call_tool(*reg, "llm", {{"prompt", "hi"}, {"stream", stream}});
      CHECK_FALSE(r.ok());
      CHECK(r.error.find("HTTP 401") != std::string::npos);
      CHECK(r.error.find("Incorrect API key provided: [redacted]") != std::string::npos);
      CHECK(r.error.find(wrong) == std::string::npos);
      CHECK(r.out.empty());
    }
  }

  auto reg = in_tree_plugins(llm_config(server.base_url()));
  SECTION("500: status and the server's error.message") {
    for (bool stream : {true, false}) {
      auto r = call_tool(*reg, "llm", {{"prompt", "error500"}, {"stream", stream}});
      CHECK_FALSE(r.ok());
      CHECK(r.error == "llm: HTTP 500 Internal Server Error from " + server.base_url() +
                           "/chat/completions: the fake model crashed");
      no_key_anywhere(r);
    }
  }
  SECTION("400: the server's reason") {
    auto r = call_tool(*reg, "llm", {{"prompt", "error400"}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("HTTP 400") != std::string::npos);
    CHECK(r.error.find("max_tokens is too large") != std::string::npos);
    no_key_anywhere(r);
  }
  SECTION("malformed JSON answer") {
    auto r = call_tool(*reg, "llm", {{"prompt", "malformed"}, {"stream", false}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("llm: malformed JSON in the server's answer") == 0);
    no_key_anywhere(r);
  }
  SECTION("malformed SSE event") {
    auto r = call_tool(*reg, "llm", {{"prompt", "malformed"}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("llm: malformed event in the server's stream") == 0);
    CHECK(r.error.find("{this is not json") != std::string::npos);
    no_key_anywhere(r);
  }
  SECTION("a stream cut off before its end") {
    auto r = call_tool(*reg, "llm", {{"prompt", "truncated"}});
    CHECK_FALSE(r.ok());
    INFO(r.error);
    CHECK(!r.error.empty());
    CHECK(r.error.rfind("llm: ", 0) == 0);
    CHECK(r.out == "Hello from ");  // what arrived was streamed before the failure
    no_key_anywhere(r);
  }
  SECTION("an error event mid-stream") {
    auto r = call_tool(*reg, "llm", {{"prompt", "midstream-error"}});
    CHECK_FALSE(r.ok());
    CHECK(r.error == "llm: the server reported an error mid-stream: the fake model ran out of memory");
    no_key_anywhere(r);
  }
  SECTION("timeout: the request is given up after timeout_s") {
    auto start = Clock::now();
    auto r = call_tool(*reg, "llm", {{"prompt", "slow"}, {"timeout_s", 1}});
    auto took = Clock::now() - start;
    CHECK_FALSE(r.ok());
    CHECK(r.error == "llm: no complete answer from " + server.base_url() + "/chat/completions within 1 s (timeout_s)");
    CHECK(took < std::chrono::seconds(4));
    no_key_anywhere(r);
  }
}

TEST_CASE("llm: connection refused and a missing endpoint are clear failures", "[unit][llm]") {
  SECTION("nothing listens") {
    auto reg = in_tree_plugins(llm_config("http://127.0.0.1:1/v1"));
    auto r = call_tool(*reg, "llm", {{"prompt", "hi"}});
    CHECK_FALSE(r.ok());
    CHECK(r.error == "llm: connection refused by 127.0.0.1:1 (is the server running?)");
    no_key_anywhere(r);
  }
  SECTION("no base_url anywhere") {
    ::unsetenv("STEWARD_LLM_BASE_URL");
    auto reg = in_tree_plugins();
    auto r = call_tool(*reg, "llm", {{"prompt", "hi"}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("llm: no endpoint configured") == 0);
    CHECK(r.error.find("base_url") != std::string::npos);
    CHECK(r.error.find("STEWARD_LLM_BASE_URL") != std::string::npos);
  }
}

TEST_CASE("llm: cancellation stops a stream promptly", "[unit][llm]") {
  FakeOpenAI server;
  auto reg = in_tree_plugins(llm_config(server.base_url()));
  const Plugin* tool = reg->tool("llm");
  REQUIRE(tool != nullptr);

  SECTION("output refused after a few deltas") {
    TimedCall call;
    call.cancel_after = 3;
    auto rc = tool->run(call, json{{"prompt", "long"}}.dump());
    auto stopped = Clock::now();
    CHECK(rc == STEWARD_CANCELLED);
    CHECK(call.chunks.size() == 3);  // nothing more was emitted once cancelled
    CHECK(stopped - call.cancelled_at < std::chrono::milliseconds(500));
  }
  SECTION("cancelled() turns true while waiting for the next delta") {
    TimedCall call;
    auto start = Clock::now();
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      call.cancelled_at = Clock::now();
      call.cancel = true;
    });
    auto rc = tool->run(call, json{{"prompt", "long"}}.dump());
    auto stopped = Clock::now();
    canceller.join();
    CHECK(rc == STEWARD_CANCELLED);
    CHECK(!call.chunks.empty());              // it was streaming when cancelled
    CHECK(call.text().size() < 200);          // the whole answer (about 1.7 kB, 10 s) never came
    CHECK(stopped - start < std::chrono::seconds(2));
  }
  SECTION("cancelled while the server has not answered yet") {
    TimedCall call;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      call.cancel = true;
    });
    auto start = Clock::now();
    auto rc = tool->run(call, json{{"prompt", "slow"}}.dump());
    canceller.join();
    CHECK(rc == STEWARD_CANCELLED);
    CHECK(Clock::now() - start < std::chrono::seconds(2));
  }
}

TEST_CASE("llm: environment variables override and complete the config", "[unit][llm]") {
  TempDir dir;
  const std::string log = dir.str() + "/requests.jsonl";
  FakeOpenAI server({"--key", kKey, "--log", log});

  SECTION("STEWARD_LLM_BASE_URL, _MODEL and _API_KEY win over the config file") {
    ScopedEnv url("STEWARD_LLM_BASE_URL", server.base_url());
    ScopedEnv model("STEWARD_LLM_MODEL", "env-model");
    ScopedEnv key("STEWARD_LLM_API_KEY", kKey);
    auto reg = in_tree_plugins(json{
        {"llm", {{"base_url", "http://127.0.0.1:1/v1"}, {"model", "cfg-model"}, {"api_key", "sk-cfg-wrong"}}}});
    auto r = call_tool(*reg, "llm", {{"prompt", "echo:env"}});
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(r.out == "env");
    auto requests = read_log(log);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0]["body"]["model"] == "env-model");
    CHECK(requests[0]["authorization"] == "Bearer " + kKey);
  }
  SECTION("api_key_env names the variable holding the key, and wins over api_key") {
    ::unsetenv("STEWARD_LLM_API_KEY");
    ScopedEnv key("STEWARD_TEST_LLM_KEY", kKey);
    auto reg = in_tree_plugins(json{{"llm",
                                     {{"base_url", server.base_url()},
                                      {"api_key_env", "STEWARD_TEST_LLM_KEY"},
                                      {"api_key", "sk-cfg-wrong"}}}});
    auto r = call_tool(*reg, "llm", {{"prompt", "echo:from env var"}, {"stream", false}});
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(r.out == "from env var");
  }
}

TEST_CASE("llm: bad config refuses the plugin and bad args are refused", "[unit][llm]") {
  auto refusal = [](const json& config) {
    auto reg = in_tree_plugins(json{{"llm", config}});
    CHECK(reg->tool("llm") == nullptr);
    for (const auto& p : reg->plugins())
      if (p.name == "llm") return p.error;
    return std::string("(not listed)");
  };
  ::unsetenv("STEWARD_LLM_BASE_URL");
  ::unsetenv("STEWARD_LLM_API_KEY");
  CHECK(refusal({{"base_url", "ftp://x/v1"}}).find("base_url: 'ftp://x/v1' must start with http:// or https://") !=
        std::string::npos);
  CHECK(refusal({{"base_url", "http://user:pw@host/v1"}}).find("credentials in the URL are not supported") !=
        std::string::npos);
  CHECK(refusal({{"timeout_s", 0}}).find("timeout_s must be an integer from 1 to 3600") != std::string::npos);
  CHECK(refusal({{"basse_url", "http://x"}}).find("unknown field 'basse_url'") != std::string::npos);
  CHECK(refusal({{"api_key_env", "STEWARD_TEST_SURELY_UNSET_VAR"}})
            .find("api_key_env names STEWARD_TEST_SURELY_UNSET_VAR, which is not set") != std::string::npos);
  // The key is never part of a refusal either.
  CHECK(refusal({{"api_key", kKey}, {"timeout_s", "x"}}).find(kKey) == std::string::npos);

  auto reg = in_tree_plugins(llm_config("http://127.0.0.1:1/v1"));
  CHECK_FALSE(call_tool(*reg, "llm", json::object()).error.empty());                     // prompt missing
  CHECK_FALSE(call_tool(*reg, "llm", {{"prompt", ""}}).error.empty());                   // empty prompt
  CHECK_FALSE(call_tool(*reg, "llm", {{"prompt", "x"}, {"temperature", 3}}).error.empty());
  CHECK_FALSE(call_tool(*reg, "llm", {{"prompt", "x"}, {"stream", "yes"}}).error.empty());
  CHECK_FALSE(call_tool(*reg, "llm", {{"prompt", "x"}, {"colour", "red"}}).error.empty());
  // Every documented field has a description.
  for (const auto& [name, field] : reg->tool("llm")->schema()["properties"].items())
    CHECK(field.contains("description"));
}

TEST_CASE("llm protocol: SSE events, chunks and error bodies on literal texts", "[unit][llm]") {
  using namespace llm_plugin;
  SseDecoder d;
  std::vector<std::string> events;
  for (std::string_view line : {": comment", "event: message", "data: {\"a\":1}\r", "", "data:x", "data: y", "",
                                "id: 7", "", "data: [DONE]"}) {
    if (auto e = d.line(line)) events.push_back(*e);
  }
  if (auto e = d.finish()) events.push_back(*e);
  CHECK(events == std::vector<std::string>{"{\"a\":1}", "x\ny", "[DONE]"});

  Completion c;
  bool done = false;
  CHECK(apply_stream_event(R"({"model":"m","choices":[{"delta":{"role":"assistant"},"finish_reason":null}]})", c, done)
            .empty());
  CHECK(apply_stream_event(R"({"choices":[{"delta":{"content":"Hi"}}]})", c, done) == "Hi");
  CHECK(apply_stream_event(R"({"choices":[{"delta":{"content":" there"},"finish_reason":"length"}]})", c, done) ==
        " there");
  CHECK(apply_stream_event(R"({"choices":[],"usage":{"total_tokens":3}})", c, done).empty());
  CHECK_FALSE(done);
  apply_stream_event("[DONE]", c, done);
  CHECK(done);
  CHECK(c.content == "Hi there");
  CHECK(c.model == "m");
  CHECK(c.finish_reason == "length");
  CHECK(c.usage["total_tokens"] == 3);
  CHECK_THROWS_WITH(apply_stream_event("nope", c, done), Catch::Contains("malformed event"));
  CHECK_THROWS_WITH(apply_stream_event(R"({"choices":{}})", c, done), Catch::Contains("choices is not an array"));

  CHECK(error_message(R"({"error":{"message":"bad key","type":"x"}})") == "bad key");
  CHECK(error_message(R"({"error":"model 'x' not found"})") == "model 'x' not found");  // Ollama's shape
  CHECK(error_message(R"({"detail":"Not Found"})") == "Not Found");                      // FastAPI's shape
  CHECK(error_message("<html>Bad Gateway</html>\n") == "<html>Bad Gateway</html>");
  CHECK(error_message("") == "(empty body)");
  CHECK(error_message(std::string(1000, 'x')).size() == 303);

  CHECK(parse_completion(R"({"model":"m","choices":[{"message":{"content":"ok"},"finish_reason":"stop"}]})").content ==
        "ok");
  CHECK_THROWS_WITH(parse_completion(R"({"choices":[]})"), Catch::Contains("no choices[0]"));
  CHECK_THROWS_WITH(parse_completion(R"({"error":{"message":"quota"}})"), Catch::Contains("quota"));
}
