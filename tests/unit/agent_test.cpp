// The device agent's pieces without a daemon: its config file, the reconnect backoff and
// AgentSession (the protocol logic) driven with the real in-tree plugins and a capturing
// send function standing in for the WebSocket.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/agent/agent_config.hpp"
#include "app/agent/agent_session.hpp"
#include "app/agent/backoff.hpp"
#include "app/agent/host_facts.hpp"
#include "core/devices/jsonrpc.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tool_call.hpp"

using nlohmann::json;
using namespace steward;
using namespace steward::agent;
using namespace std::chrono_literals;

namespace {

// What the session sent, parsed; wait_for() blocks until a message matches.
class Outbox {
 public:
  AgentSession::Send sender() {
    return [this](const std::string& text) {
      std::lock_guard lock(mutex_);
      messages_.push_back(json::parse(text));
      changed_.notify_all();
    };
  }
  template <typename Pred>
  json wait_for(Pred pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    json found;
    changed_.wait_for(lock, timeout, [&] {
      for (const json& m : messages_)
        if (pred(m)) {
          found = m;
          return true;
        }
      return false;
    });
    return found;
  }
  json answer_to(const json& id, std::chrono::milliseconds timeout = 10s) {
    return wait_for([&](const json& m) { return m.contains("id") && m["id"] == id && !m.contains("method"); }, timeout);
  }
  std::vector<json> all() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::string output_of(const std::string& exec_id, const std::string& stream = "stdout") {
    std::string text;
    for (const json& m : all())
      if (m.value("method", "") == "output" && m["params"]["execution_id"] == exec_id && m["params"]["stream"] == stream)
        text += m["params"]["data"].get<std::string>();
    return text;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<json> messages_;
};

std::string execute(const std::string& exec_id, const std::string& tool, const json& args, int timeout_s = 60) {
  return jsonrpc::request(exec_id, "execute",
                          {{"execution_id", exec_id}, {"tool", tool}, {"args", args}, {"timeout_s", timeout_s}});
}

SessionOptions fast_options() {
  SessionOptions o;
  o.health_sample_ms = 50;
  return o;
}

}  // namespace

TEST_CASE("agent: config save then load gives the same values, in a new 0700 dir, file mode 0600", "[unit][agent]") {
  test::TempDir dir;
  const std::string path = (dir.path() / "nested" / "steward" / "agent.json").string();
  AgentConfig c{"hub.example", 18790, "device_abc", "dvt_SECRET", "ws://hub.example:18781/device/ws", "web1"};
  ::umask(022);  // a permissive umask must not widen the file
  save_agent_config(c, path);

  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir.path() / "nested").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat((dir.path() / "nested" / "steward").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  AgentConfig back = load_agent_config(path);
  CHECK(back.host == c.host);
  CHECK(back.port == 18790);
  CHECK(back.device_id == c.device_id);
  CHECK(back.token == c.token);
  CHECK(back.ws_url == c.ws_url);
  CHECK(back.name == "web1");

  // Saving again replaces the file (rename over it) and leaves no temp file behind.
  c.token = "dvt_OTHER";
  save_agent_config(c, path);
  CHECK(load_agent_config(path).token == "dvt_OTHER");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "nested" / "steward")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("agent: a missing or incomplete config file is refused with its path and field", "[unit][agent]") {
  test::TempDir dir;
  const std::string missing = (dir.path() / "none.json").string();
  CHECK_THROWS_WITH(load_agent_config(missing), Catch::Contains(missing) && Catch::Contains("steward agent pair"));
  const std::string partial = (dir.path() / "partial.json").string();
  std::ofstream(partial) << R"({"host":"h","device_id":"d","ws_url":"ws://h:1/device/ws"})";
  CHECK_THROWS_WITH(load_agent_config(partial), Catch::Contains("'token'"));
  const std::string bad_port = (dir.path() / "port.json").string();
  std::ofstream(bad_port) << R"({"host":"h","device_id":"d","token":"t","ws_url":"ws://h:1/","port":70000})";
  CHECK_THROWS_WITH(load_agent_config(bad_port), Catch::Contains("'port'"));
}

TEST_CASE("agent: backoff grows 1, 2, 4 s up to 60 s, jittered between half and full", "[unit][agent]") {
  double r = 1.0;
  Backoff b([&] { return r; });
  CHECK(b.next() == 1000ms);
  CHECK(b.next() == 2000ms);
  CHECK(b.next() == 4000ms);
  CHECK(b.next() == 8000ms);
  CHECK(b.next() == 16000ms);
  CHECK(b.next() == 32000ms);
  CHECK(b.next() == 60000ms);
  for (int i = 0; i < 100; ++i) CHECK(b.next() == 60000ms);  // no overflow however long it fails
  r = 0.0;
  CHECK(b.next() == 30000ms);  // the lowest jitter is half

  // A connection that stayed up 60 s starts over; a shorter one does not.
  b.connection_ended(59s);
  CHECK(b.next() == 30000ms);
  b.connection_ended(60s);
  CHECK(b.attempt() == 0);
  CHECK(b.next() == 500ms);
  b.reset();
  CHECK(b.attempt() == 0);
  CHECK(Backoff::blocked() == 60000ms);

  // The default random source stays within [0.5, 1] × the ceiling.
  Backoff real;
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto ceiling = std::min<long long>(60000, 1000LL << attempt);
    auto d = real.next().count();
    CHECK(d >= ceiling / 2);
    CHECK(d <= ceiling);
  }
}

TEST_CASE("agent: os-release PRETTY_NAME is read unquoted and the host facts are filled", "[unit][agent]") {
  CHECK(os_release_pretty_name("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n") ==
        "Debian GNU/Linux 12 (bookworm)");
  CHECK(os_release_pretty_name("PRETTY_NAME='Alpine v3'\n") == "Alpine v3");
  CHECK(os_release_pretty_name("PRETTY_NAME=Plain\n") == "Plain");
  CHECK(os_release_pretty_name("ID=x\n").empty());
  HostFacts f = read_host_facts();
  CHECK(f.platform == "Linux");
  CHECK_FALSE(f.architecture.empty());
  CHECK_FALSE(f.hostname.empty());
  CHECK(f.agent_version == STEWARD_VERSION);
}

TEST_CASE("agent: hello lists the loaded tools, and its answer sets the intervals", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  CHECK(s.hello_state() == AgentSession::HelloState::NotSent);
  json hello = json::parse(s.hello_request());
  CHECK(hello["method"] == "hello");
  CHECK(hello["params"]["platform"] == "Linux");
  CHECK(hello["params"]["agent_version"] == STEWARD_VERSION);
  const json& caps = hello["params"]["capabilities"];
  CHECK(std::find(caps.begin(), caps.end(), "bash") != caps.end());
  CHECK(std::find(caps.begin(), caps.end(), "system_info") != caps.end());
  bool bash_schema = false;
  for (const json& t : hello["params"]["tools"])
    if (t["name"] == "bash") bash_schema = t["args_schema"]["properties"].contains("command") && t["version"] == "1.0.0";
  CHECK(bash_schema);

  // An answer to some other id is not hello's.
  s.on_message(jsonrpc::result(999, {{"health_interval_s", 5}}));
  CHECK(s.hello_state() == AgentSession::HelloState::Waiting);
  s.on_message(jsonrpc::result(hello["id"], {{"device_id", "device_x"},
                                              {"status", "approved"},
                                              {"health_interval_s", 7},
                                              {"ping_interval_s", 9}}));
  CHECK(s.hello_state() == AgentSession::HelloState::Accepted);
  CHECK(s.device_id() == "device_x");
  CHECK(s.device_status() == "approved");
  CHECK(s.health_interval_s() == 7);
  CHECK(s.ping_interval_s() == 9);
  CHECK(out.all().empty());  // answers are never answered
}

TEST_CASE("agent: a rejected hello is recorded with the hub's message", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  json hello = json::parse(s.hello_request());
  s.on_message(jsonrpc::error(hello["id"], jsonrpc::kNotAllowedNow, "hello sent twice"));
  CHECK(s.hello_state() == AgentSession::HelloState::Rejected);
  CHECK_THAT(s.hello_error(), Catch::Contains("hello sent twice"));
}

TEST_CASE("agent: execute bash echo streams output and answers completed with exit code 0", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  s.on_message(execute("exec_1", "bash", {{"command", "echo hi; echo oops >&2"}}));
  json answer = out.answer_to("exec_1");
  REQUIRE(answer.contains("result"));
  const json& r = answer["result"];
  CHECK(r["execution_id"] == "exec_1");
  CHECK(r["status"] == "completed");
  CHECK(r["exit_code"] == 0);
  CHECK(r["result"]["exit_code"] == 0);
  CHECK(r["error"].is_null());
  CHECK(r["duration_ms"].is_number_integer());
  CHECK(out.output_of("exec_1") == "hi\n");
  CHECK(out.output_of("exec_1", "stderr") == "oops\n");
  // Output notifications come before the answer.
  auto all = out.all();
  CHECK(all.back().contains("result"));
  CHECK(s.running_executions() == 0);
}

TEST_CASE("agent: a failing command answers failed with the reason and exit code", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  s.on_message(execute("exec_f", "bash", {{"command", "exit 3"}}));
  json r = out.answer_to("exec_f")["result"];
  CHECK(r["status"] == "failed");
  CHECK(r["exit_code"] == 3);
  CHECK_THAT(r["error"].get<std::string>(), Catch::Contains("exit code 3"));

  // Args the tool's schema refuses fail the same way, naming the field; no tool runs.
  s.on_message(execute("exec_s", "bash", {{"comand", "echo typo"}}));
  json bad = out.answer_to("exec_s")["result"];
  CHECK(bad["status"] == "failed");
  CHECK_THAT(bad["error"].get<std::string>(), Catch::Contains("args"));
  CHECK(out.output_of("exec_s").empty());
}

TEST_CASE("agent: sleep 30 with timeout_s 1 answers timeout within a few seconds", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  auto started = std::chrono::steady_clock::now();
  s.on_message(execute("exec_t", "bash", {{"command", "sleep 30"}}, 1));
  json answer = out.answer_to("exec_t", 15s);
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(answer.contains("result"));
  CHECK(answer["result"]["status"] == "timeout");
  CHECK_THAT(answer["result"]["error"].get<std::string>(), Catch::Contains("1 s"));
  CHECK(took < 6s);
}

TEST_CASE("agent: cancel stops a running execution, which answers cancelled", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  s.on_message(execute("exec_c", "bash", {{"command", "echo started; sleep 30"}}));
  out.wait_for([](const json& m) { return m.value("method", "") == "output"; });
  s.on_message(jsonrpc::request("c1", "cancel", {{"execution_id", "exec_c"}}));
  CHECK(out.answer_to("c1")["result"]["cancelled"] == true);
  json answer = out.answer_to("exec_c", 10s);
  REQUIRE(answer.contains("result"));
  CHECK(answer["result"]["status"] == "cancelled");

  // Once it ended: false; never seen: -32002.
  s.on_message(jsonrpc::request("c2", "cancel", {{"execution_id", "exec_c"}}));
  CHECK(out.answer_to("c2")["result"]["cancelled"] == false);
  s.on_message(jsonrpc::request("c3", "cancel", {{"execution_id", "exec_nope"}}));
  CHECK(out.answer_to("c3")["error"]["code"] == jsonrpc::kUnknownExecution);
}

TEST_CASE("agent: executions run concurrently", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) s.on_message(execute("exec_p" + std::to_string(i), "bash", {{"command", "sleep 1"}}));
  for (int i = 0; i < 3; ++i) CHECK(out.answer_to("exec_p" + std::to_string(i))["result"]["status"] == "completed");
  CHECK(std::chrono::steady_clock::now() - started < 2800ms);
}

TEST_CASE("agent: unknown tool, unknown method, bad params and bad JSON get their error codes", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());

  s.on_message(execute("exec_u", "no_such_tool", json::object()));
  json unknown_tool = out.answer_to("exec_u");
  CHECK(unknown_tool["error"]["code"] == jsonrpc::kToolNotLoaded);
  CHECK_THAT(unknown_tool["error"]["message"].get<std::string>(), Catch::Contains("no_such_tool"));

  s.on_message(jsonrpc::request(5, "reboot", json::object()));
  CHECK(out.answer_to(5)["error"]["code"] == jsonrpc::kMethodNotFound);

  s.on_message(R"({"jsonrpc":"2.0","id":6,"method":"execute","params":[1,2]})");
  CHECK(out.answer_to(6)["error"]["code"] == jsonrpc::kInvalidParams);

  s.on_message(jsonrpc::request(7, "execute", {{"tool", "bash"}, {"args", {{"command", "true"}}}}));
  CHECK_THAT(out.answer_to(7)["error"]["message"].get<std::string>(), Catch::Contains("execution_id"));
  CHECK(out.answer_to(7)["error"]["code"] == jsonrpc::kInvalidParams);

  s.on_message(jsonrpc::request(8, "execute", {{"execution_id", "e8"}, {"tool", "bash"}, {"timeout_s", 0}}));
  CHECK(out.answer_to(8)["error"]["code"] == jsonrpc::kInvalidParams);

  s.on_message("this is not json");
  json parse_error = out.wait_for([](const json& m) { return m.contains("error") && m["id"].is_null(); });
  CHECK(parse_error["error"]["code"] == jsonrpc::kParseError);

  // A notification is never answered, whatever its method.
  auto before = out.all().size();
  s.on_message(jsonrpc::notification("whatever", json::object()));
  CHECK(out.all().size() == before);
}

TEST_CASE("agent: ping answers the time", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  s.on_message(jsonrpc::request("p1", "ping", json::object()));
  std::string time = out.answer_to("p1")["result"]["time"].get<std::string>();
  CHECK(time.size() == 20);
  CHECK(time.back() == 'Z');
  CHECK(time.substr(0, 2) == "20");
}

TEST_CASE("agent: health_notification has the protocol fields from the real proc", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  json n = json::parse(s.health_notification());
  CHECK(n["method"] == "health");
  CHECK_FALSE(n.contains("id"));
  const json& p = n["params"];
  CHECK(p["cpu_percent"].is_number());
  CHECK(p["cpu_percent"].get<double>() >= 0.0);
  CHECK(p["cpu_percent"].get<double>() <= 100.0);
  CHECK(p["memory_percent"].is_number());
  CHECK(p["memory_percent"].get<double>() > 0.0);
  CHECK(p["load_average"].size() == 3);
  CHECK(p["uptime_seconds"].is_number_integer());
  CHECK(p["uptime_seconds"].get<long long>() > 0);
  CHECK(p["network"]["bytes_sent"].is_number_integer());
  CHECK(p["network"]["bytes_recv"].is_number_integer());
  CHECK(p["timestamp"].get<std::string>().back() == 'Z');
  // disk_percent is there whenever system_info found a real disk.
  if (p.contains("disk_percent")) CHECK(p["disk_percent"].get<double>() <= 100.0);

  // send_health() goes through send.
  s.send_health();
  CHECK(out.wait_for([](const json& m) { return m.value("method", "") == "health"; }).is_object());
}

TEST_CASE("agent: health mapping takes the fullest disk and leaves unreadable fields out", "[unit][agent]") {
  json h = {{"cpu_percent", 12.5},
            {"memory", {{"total_bytes", 100}, {"used_percent", 45.2}}},
            {"disks", {{{"mount", "/"}, {"used_percent", 38.1}}, {{"mount", "/data"}, {"used_percent", 71.0}}}},
            {"load_average", {0.45, 0.38, 0.32}},
            {"uptime_s", 432000.0},
            {"network", {{"total", {{"rx_bytes", 2097152}, {"tx_bytes", 1048576}}}}}};
  json p = health_params(h, 1795442400000);
  CHECK(p == json{{"cpu_percent", 12.5},
                  {"memory_percent", 45.2},
                  {"disk_percent", 71.0},
                  {"load_average", {0.45, 0.38, 0.32}},
                  {"uptime_seconds", 432000},
                  {"network", {{"bytes_sent", 1048576}, {"bytes_recv", 2097152}}},
                  {"timestamp", "2026-11-23T14:00:00Z"}});
  json missing = health_params({{"cpu_percent", nullptr}, {"load_average", nullptr}, {"disks", json::array()}}, 0);
  CHECK(missing == json{{"timestamp", "1970-01-01T00:00:00Z"}});
}

TEST_CASE("agent: output split inside a UTF-8 character is sent whole", "[unit][agent]") {
  CHECK(complete_utf8_prefix("abc") == 3);
  CHECK(complete_utf8_prefix("ab\xC3") == 2);          // first byte of é
  CHECK(complete_utf8_prefix("ab\xC3\xA9") == 4);      // é complete
  CHECK(complete_utf8_prefix("a\xE2\x82") == 1);       // two bytes of €
  CHECK(complete_utf8_prefix("a\xF0\x9F\x98") == 1);   // three bytes of an emoji
  CHECK(complete_utf8_prefix("a\xF0\x9F\x98\x80") == 5);

  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  // printf writes é in two separate writes a moment apart: two chunks, split mid-character.
  s.on_message(execute("exec_u8", "bash", {{"command", "printf '\\303'; sleep 0.3; printf '\\251\\n'"}}));
  CHECK(out.answer_to("exec_u8")["result"]["status"] == "completed");
  CHECK(out.output_of("exec_u8") == "\xC3\xA9\n");
}

TEST_CASE("agent: on_disconnect cancels running executions, joins them and sends nothing more", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
  s.on_message(execute("exec_d", "bash", {{"command", "echo up; sleep 30"}}));
  out.wait_for([](const json& m) { return m.value("method", "") == "output"; });
  CHECK(s.running_executions() == 1);
  auto started = std::chrono::steady_clock::now();
  s.on_disconnect();
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(s.running_executions() == 0);
  auto sent = out.all().size();
  s.on_message(jsonrpc::request("late", "ping", json::object()));
  s.send_health();
  CHECK(out.all().size() == sent);  // no answer to exec_d, nothing after the disconnect
  s.on_disconnect();                // idempotent
}

TEST_CASE("agent: destroying a session with a running execution is safe", "[unit][agent]") {
  auto reg = test::in_tree_plugins();
  Outbox out;
  {
    AgentSession s(*reg, read_host_facts(), out.sender(), fast_options());
    s.on_message(execute("exec_x", "bash", {{"command", "sleep 30"}}));
    std::this_thread::sleep_for(200ms);
  }
  SUCCEED("the destructor returned");
}
