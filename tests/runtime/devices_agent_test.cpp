// Devices end to end: a real daemon and real `steward agent` processes over real
// WebSockets on 127.0.0.1. Pairing, approval, execute, queue while offline then reconnect,
// group execute with a member offline, block mid-run, revoke, a malformed JSON-RPC
// message, an agent killed mid-run, a silent agent, and automations targeting a device or
// a group under maintenance windows and the approval gate.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <thread>

#include "tests/support/agent_process.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/raw_device_socket.hpp"

using namespace steward::test;
using nlohmann::json;

namespace {

std::string token_of(const PairedDevice& p) {
  std::ifstream in(p.config);
  return json::parse(in).at("token").get<std::string>();
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

HttpResult execute(const Daemon& d, const std::string& device, const json& body) {
  return d.api("POST", "/api/devices/" + device + "/execute", body);
}

// Waits until the device has an execution in status running (sent to the agent).
bool wait_running(const Daemon& d, const std::string& device) {
  return eventually([&] {
    auto list = d.api("GET", "/api/devices/" + device + "/executions").json();
    for (const auto& e : list["executions"])
      if (e["status"] == "running") return true;
    return false;
  });
}

// `sleep 30` on the device, asked on another thread; returns once the agent is running it.
std::future<HttpResult> start_long_execution(const Daemon& d, const std::string& device) {
  auto running = std::async(std::launch::async, [&d, device] {
    return execute(d, device, {{"tool", "bash"}, {"args", {{"command", "sleep 30"}}}, {"timeout", 60}});
  });
  REQUIRE(wait_running(d, device));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the agent has spawned it
  return running;
}

// The HTTP status of a WebSocket handshake that the hub refuses.
int handshake_status(int port, const std::string& token) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/device/ws?token=" + token,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  try {
    Poco::Net::WebSocket ws(session, req, response);
    return 101;
  } catch (const Poco::Exception&) {
    return response.getStatus();
  }
}

}  // namespace

TEST_CASE("devices: an approved agent runs a command, reports health and lists the execution",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "web1");
  AgentProcess agent(dev.config);
  REQUIRE(wait_online(d, dev.id, true));

  auto r = execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "echo hello from $(hostname); echo oops >&2"}}},
                               {"timeout", 30}});
  REQUIRE(r.status == 200);
  json e = r.json();
  CHECK(e["status"] == "completed");
  CHECK(e["device_id"] == dev.id);
  CHECK(e["tool"] == "bash");
  CHECK(e["exit_code"] == 0);
  CHECK(e["error"].is_null());
  CHECK(e["output"].get<std::string>().find("hello from") != std::string::npos);
  CHECK(e["output"].get<std::string>().find("oops") != std::string::npos);
  CHECK(e["duration_ms"].is_number_integer());
  CHECK(e["execution_id"].get<std::string>().rfind("exec_", 0) == 0);

  // A failing command is `failed` with its exit code, not an error of the API.
  auto f = execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "exit 7"}}}});
  REQUIRE(f.status == 200);
  CHECK(f.json()["status"] == "failed");
  CHECK(f.json()["exit_code"] == 7);

  auto list = d.api("GET", "/api/devices/" + dev.id + "/executions?limit=1");
  REQUIRE(list.status == 200);
  CHECK(list.json()["total"] == 2);
  REQUIRE(list.json()["executions"].size() == 1);
  CHECK(list.json()["executions"][0]["execution_id"] == f.json()["execution_id"]);  // newest first

  // Health from the agent's /proc, in the seed's shape.
  REQUIRE(eventually([&] { return d.api("GET", "/api/devices/" + dev.id + "/health").json().contains("cpu_percent"); }));
  json h = d.api("GET", "/api/devices/" + dev.id + "/health").json();
  CHECK(h["memory_percent"].is_number());
  CHECK(h["load_average"].size() == 3);
  CHECK(h["uptime_seconds"].is_number());
  CHECK(h["network"].contains("bytes_recv"));
  // The same messages are kept as history (the dashboard's sparklines), oldest first.
  json history = d.api("GET", "/api/devices/" + dev.id + "/health/history?minutes=5").json();
  CHECK(history["device_id"] == dev.id);
  CHECK(history["minutes"] == 5);
  REQUIRE(!history["samples"].empty());
  CHECK(history["samples"].back()["cpu_percent"].is_number());
  CHECK(history["samples"].back()["timestamp"].is_string());
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/health/history?minutes=1441").status == 400);
  CHECK(d.api("GET", "/api/devices/device_nope/health/history").status == 404);
  // A page of the device list in one request; an unknown id has no samples.
  json many = d.api("GET", "/api/devices/health/history?minutes=5&ids=" + dev.id + ",device_nope").json();
  CHECK(many["minutes"] == 5);
  REQUIRE(many["devices"].size() == 2);
  CHECK(many["devices"][dev.id] == history["samples"]);
  CHECK(many["devices"]["device_nope"].empty());
  CHECK(d.api("GET", "/api/devices/health/history").json()["error"]["field"] == "ids");
  CHECK(d.api("GET", "/api/devices/health/history?ids=" + dev.id + ",").status == 400);
  std::string hundred_and_one;
  for (int i = 0; i <= 100; ++i) hundred_and_one += (i ? "," : "") + std::string("device_") + std::to_string(i);
  CHECK(d.api("GET", "/api/devices/health/history?ids=" + hundred_and_one).status == 400);

  // The agent announced what it is and which tools it loaded.
  json device = d.api("GET", "/api/devices/" + dev.id).json();
  CHECK(device["platform"] == "Linux");
  CHECK(!device["agent_version"].get<std::string>().empty());
  CHECK(std::find(device["capabilities"].begin(), device["capabilities"].end(), "bash") != device["capabilities"].end());
  REQUIRE(device["recent_executions"].size() == 2);
  CHECK(device["recent_executions"][0]["execution_id"] == f.json()["execution_id"]);

  // Unknown tool, unknown device, bad bodies.
  auto nt = execute(d, dev.id, {{"tool", "no_such_tool"}});
  CHECK(nt.status == 400);
  CHECK(nt.json()["error"]["code"] == "tool_not_on_device");
  CHECK(execute(d, "device_nope", {{"tool", "bash"}, {"args", {{"command", "true"}}}}).status == 404);
  CHECK(execute(d, dev.id, {{"args", {}}}).status == 400);
  CHECK(execute(d, dev.id, {{"tool", "bash"}, {"timeout", 0}}).status == 400);
  CHECK(execute(d, dev.id, {{"tool", "bash"}, {"surprise", 1}}).status == 400);
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/executions").json()["total"] == 2);  // nothing stored for those
}

TEST_CASE("devices: a pending device connects but runs nothing until approved", "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "pending1", false);
  AgentProcess agent(dev.config);
  REQUIRE(wait_online(d, dev.id, true));
  CHECK(d.api("GET", "/api/devices/" + dev.id).json()["status"] == "pending");
  auto r = execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "echo hi"}}}});
  CHECK(r.status == 409);
  CHECK(r.json()["error"]["code"] == "device_not_approved");
  REQUIRE(d.api("POST", "/api/devices/" + dev.id + "/approve").status == 200);
  auto ok = execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "echo hi"}}}});
  REQUIRE(ok.status == 200);
  CHECK(ok.json()["status"] == "completed");
}

TEST_CASE("devices: commands queued while offline run in order when the agent connects, with expiry and cancel",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "laptop");
  std::string file = (dir.path() / "order.txt").string();
  std::vector<std::string> ids;
  for (int i = 1; i <= 4; ++i) {
    json body = {{"tool", "bash"}, {"args", {{"command", "echo " + std::to_string(i) + " >> " + file}}}};
    if (i == 4) body["queue_expires_in"] = 1;
    auto r = execute(d, dev.id, body);
    REQUIRE(r.status == 202);
    CHECK(r.json()["status"] == "queued");
    CHECK(!r.json()["expires_at"].is_null());
    ids.push_back(r.json()["execution_id"]);
  }
  auto q = d.api("GET", "/api/devices/" + dev.id + "/queue");
  REQUIRE(q.status == 200);
  CHECK(q.json()["total"] == 4);
  CHECK(q.json()["queue"][0]["execution_id"] == ids[0]);

  // Cancel the second; let the fourth expire.
  auto c = d.api("DELETE", "/api/devices/" + dev.id + "/queue/" + ids[1]);
  REQUIRE(c.status == 200);
  CHECK(c.json()["status"] == "cancelled");
  CHECK(d.api("DELETE", "/api/devices/" + dev.id + "/queue/" + ids[1]).status == 409);
  CHECK(d.api("DELETE", "/api/devices/" + dev.id + "/queue/exec_nope").status == 404);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Past its expiry a command is expired: cancelling it is refused, not recorded as a cancel.
  auto late = d.api("DELETE", "/api/devices/" + dev.id + "/queue/" + ids[3]);
  CHECK(late.status == 409);
  CHECK(late.json()["error"]["message"] == "command " + ids[3] + " is expired, not queued");
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/queue").json()["total"] == 2);

  // With queue: false an offline device is an error instead.
  auto refused = execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "true"}}}, {"queue", false}});
  CHECK(refused.status == 409);
  CHECK(refused.json()["error"]["code"] == "device_offline");

  AgentProcess agent(dev.config);
  REQUIRE(eventually([&] {
    auto e = d.api("GET", "/api/devices/" + dev.id + "/executions/" + ids[2]).json();
    return e.value("status", "") == "completed";
  }));
  CHECK(read_text(file) == "1\n3\n");
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/executions/" + ids[0]).json()["status"] == "completed");
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/executions/" + ids[1]).json()["status"] == "cancelled");
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/executions/" + ids[3]).json()["status"] == "expired");
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/queue").json()["total"] == 0);

  // Clearing a queue.
  agent.stop(SIGTERM);
  REQUIRE(wait_online(d, dev.id, false));
  execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "true"}}}});
  execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "true"}}}});
  auto cleared = d.api("DELETE", "/api/devices/" + dev.id + "/queue");
  REQUIRE(cleared.status == 200);
  CHECK(cleared.json()["cancelled"] == 2);
}

TEST_CASE("devices: group execute runs on every online member and lists the offline one",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto a = pair_agent(d, dir.path(), "a");
  auto b = pair_agent(d, dir.path(), "b");
  auto c = pair_agent(d, dir.path(), "c");
  AgentProcess pa(a.config), pb(b.config);
  REQUIRE(wait_online(d, a.id, true));
  REQUIRE(wait_online(d, b.id, true));
  auto g = d.api("POST", "/api/device-groups", {{"name", "office"}});
  REQUIRE(g.status == 201);
  std::string gid = g.json()["id"];
  for (const auto& id : {a.id, b.id, c.id}) REQUIRE(d.api("POST", "/api/device-groups/" + gid + "/members/" + id).status == 200);

  auto r = d.api("POST", "/api/device-groups/" + gid + "/execute",
                 {{"tool", "bash"}, {"args", {{"command", "echo member"}}}, {"timeout", 30}});
  REQUIRE(r.status == 200);
  json results = r.json()["results"];
  REQUIRE(results.size() == 3);
  std::map<std::string, json> by;
  for (const auto& x : results) by[x["device_id"]] = x;
  CHECK(by[a.id]["status"] == "completed");
  CHECK(by[a.id]["output"] == "member\n");
  CHECK(by[b.id]["status"] == "completed");
  CHECK(by[c.id]["status"] == "offline");
  CHECK(r.json()["summary"]["completed"] == 2);
  CHECK(r.json()["summary"]["offline"] == 1);
  CHECK(d.api("POST", "/api/device-groups/group_nope/execute", {{"tool", "bash"}}).status == 404);
  CHECK(d.api("POST", "/api/device-groups/" + gid + "/execute", {{"tool", 5}}).status == 400);
}

TEST_CASE("devices: blocking mid-run ends the execution and refuses the agent afterwards",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "rogue");
  AgentProcess agent(dev.config);
  REQUIRE(wait_online(d, dev.id, true));
  auto running = start_long_execution(d, dev.id);
  auto start = std::chrono::steady_clock::now();
  REQUIRE(d.api("POST", "/api/devices/" + dev.id + "/block").status == 200);
  REQUIRE(running.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  json e = running.get().json();
  CHECK(e["status"] == "failed");
  CHECK(e["error"].get<std::string>().find("blocked") != std::string::npos);
  CHECK(wait_online(d, dev.id, false));
  CHECK(handshake_status(d.device_port(), token_of(dev)) == 403);
  // The agent keeps trying (an admin may approve it again) but stays offline.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(d.api("GET", "/api/devices/" + dev.id).json()["online"] == false);
  CHECK(!agent.wait_exit(std::chrono::seconds(0)).has_value());
}

TEST_CASE("devices: a revoked token is refused and the agent stops, asking to pair again",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "old");
  AgentProcess agent(dev.config);
  REQUIRE(wait_online(d, dev.id, true));
  REQUIRE(d.api("POST", "/api/devices/" + dev.id + "/revoke-token").status == 200);
  auto code = agent.wait_exit(std::chrono::seconds(15));
  REQUIRE(code.has_value());
  CHECK(*code == 3);
  CHECK(agent.stderr_text().find("pair") != std::string::npos);
  CHECK(handshake_status(d.device_port(), token_of(dev)) == 401);
  // A new agent with the old config stops at once too.
  AgentProcess again(dev.config);
  auto code2 = again.wait_exit(std::chrono::seconds(15));
  REQUIRE(code2.has_value());
  CHECK(*code2 == 3);
  // Re-pairing gives a new device that works.
  auto fresh = pair_agent(d, dir.path(), "old2");
  AgentProcess agent2(fresh.config);
  REQUIRE(wait_online(d, fresh.id, true));
  CHECK(execute(d, fresh.id, {{"tool", "bash"}, {"args", {{"command", "true"}}}}).json()["status"] == "completed");
}

TEST_CASE("devices: wrong and reused pairing codes are refused by the agent CLI", "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto wrong = run_steward({"agent", "pair", "--host", "127.0.0.1", "--port", std::to_string(d.port()), "--code",
                            "000000", "--config", (dir.path() / "w.json").string()});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("invalid") != std::string::npos);
  CHECK(!std::filesystem::exists(dir.path() / "w.json"));
  std::string code = d.api("POST", "/api/devices/pair").json()["code"];
  auto first = run_steward({"agent", "pair", "--host", "127.0.0.1", "--port", std::to_string(d.port()), "--code",
                            code, "--config", (dir.path() / "a.json").string()});
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("dvt_") == std::string::npos);  // the token is never printed
  CHECK((std::filesystem::status(dir.path() / "a.json").permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto reused = run_steward({"agent", "pair", "--host", "127.0.0.1", "--port", std::to_string(d.port()), "--code",
                             code, "--config", (dir.path() / "b.json").string()});
  CHECK(reused.exit_code == 1);
  CHECK(d.api("GET", "/api/devices").json()["total"] == 1);
}

TEST_CASE("devices: malformed JSON-RPC gets an error answer, the device keeps working, a flood is disconnected",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "raw");
  RawDeviceSocket peer(d.device_port(), token_of(dev));
  // Before hello, requests are refused.
  peer.send(R"({"jsonrpc":"2.0","id":1,"method":"whoami","params":{}})");
  CHECK(json::parse(peer.receive())["error"]["code"] == -32003);
  peer.send(R"({"jsonrpc":"2.0","id":2,"method":"hello","params":{"platform":"Linux","capabilities":["bash"]}})");
  json hello = json::parse(peer.receive());
  CHECK(hello["id"] == 2);
  CHECK(hello["result"]["device_id"] == dev.id);
  CHECK(hello["result"]["status"] == "approved");
  peer.send("this is not json");
  json err = json::parse(peer.receive());
  CHECK(err["id"].is_null());
  CHECK(err["error"]["code"] == -32700);
  peer.send(R"({"jsonrpc":"1.0","id":3})");
  CHECK(json::parse(peer.receive())["error"]["code"] == -32600);
  peer.send(R"({"jsonrpc":"2.0","id":4,"method":"hello","params":{}})");
  CHECK(json::parse(peer.receive())["error"]["code"] == -32003);  // hello twice
  peer.send(R"({"jsonrpc":"2.0","id":5,"method":"hello","params":{"capabilities":"bash"}})");
  CHECK(json::parse(peer.receive())["error"]["code"] == -32003);
  CHECK(d.api("GET", "/api/devices/" + dev.id).json()["online"] == true);

  // The hub's execute reaches this peer; its answer completes the execution.
  auto running = std::async(std::launch::async, [&] {
    return execute(d, dev.id, {{"tool", "bash"}, {"args", {{"command", "echo x"}}}, {"timeout", 20}});
  });
  json call = json::parse(peer.receive());
  CHECK(call["method"] == "execute");
  std::string exec_id = call["params"]["execution_id"];
  // Another device cannot write into it or answer it, even knowing its id.
  {
    auto other = pair_agent(d, dir.path(), "intruder");
    RawDeviceSocket intruder(d.device_port(), token_of(other));
    intruder.send(R"({"jsonrpc":"2.0","id":1,"method":"hello","params":{}})");
    intruder.receive();
    intruder.send(json({{"jsonrpc", "2.0"}, {"method", "output"},
                        {"params", {{"execution_id", exec_id}, {"stream", "stdout"}, {"data", "injected\n"}}}}).dump());
    intruder.send(json({{"jsonrpc", "2.0"}, {"id", exec_id},
                        {"result", {{"execution_id", exec_id}, {"status", "failed"}, {"error", "forged"}}}}).dump());
    intruder.send(R"({"jsonrpc":"2.0","id":2,"method":"nothing","params":{}})");
    CHECK(json::parse(intruder.receive())["error"]["code"] == -32601);  // both were handled before this
  }
  peer.send(json({{"jsonrpc", "2.0"}, {"method", "output"},
                  {"params", {{"execution_id", exec_id}, {"stream", "stdout"}, {"data", "from raw\n"}}}}).dump());
  peer.send(json({{"jsonrpc", "2.0"}, {"id", exec_id},
                  {"result", {{"execution_id", exec_id}, {"status", "completed"}, {"exit_code", 0}, {"error", nullptr}}}}).dump());
  json e = running.get().json();
  CHECK(e["status"] == "completed");
  CHECK(e["output"] == "from raw\n");

  // Twenty malformed messages in a row: closed with 1008.
  int close_code = 0;
  for (int i = 0; i < 20; ++i) peer.send("{");
  for (int i = 0; i < 25 && close_code == 0; ++i) peer.receive(&close_code);
  CHECK(close_code == 1008);
  CHECK(wait_online(d, dev.id, false));
}

TEST_CASE("devices: an agent killed mid-run ends the execution failed with a reason", "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "doomed");
  AgentProcess agent(dev.config);
  REQUIRE(wait_online(d, dev.id, true));
  auto running = start_long_execution(d, dev.id);
  agent.stop(SIGKILL);
  REQUIRE(running.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  json e = running.get().json();
  CHECK(e["status"] == "failed");
  CHECK(e["error"].get<std::string>().find("disconnected") != std::string::npos);
  CHECK(wait_online(d, dev.id, false));
}

TEST_CASE("devices: a silent agent is marked offline and comes back when it wakes", "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d(DaemonOptions{.extra_args = {"--device-ping-interval-s", "1"}});
  auto dev = pair_agent(d, dir.path(), "sleepy");
  AgentProcess agent(dev.config);
  REQUIRE(wait_online(d, dev.id, true));
  ::kill(agent.pid(), SIGSTOP);
  CHECK(wait_online(d, dev.id, false, std::chrono::seconds(10)));
  ::kill(agent.pid(), SIGCONT);
  CHECK(wait_online(d, dev.id, true, std::chrono::seconds(20)));
}

TEST_CASE("devices: automations run on a device and on a group, under maintenance windows and approvals",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto a = pair_agent(d, dir.path(), "node-a");
  auto b = pair_agent(d, dir.path(), "node-b");
  AgentProcess pa(a.config), pb(b.config);
  REQUIRE(wait_online(d, a.id, true));
  REQUIRE(wait_online(d, b.id, true));
  std::string gid = d.api("POST", "/api/device-groups", {{"name", "nodes"}}).json()["id"];
  d.api("POST", "/api/device-groups/" + gid + "/members/" + a.id);
  d.api("POST", "/api/device-groups/" + gid + "/members/" + b.id);

  auto on_device = d.api("POST", "/api/automations",
                         {{"name", "on a"}, {"type", "script"}, {"params", {{"command", "echo on-device"}}},
                          {"target", "device:" + a.id}});
  REQUIRE(on_device.status == 201);
  std::string aid = on_device.json()["id"];
  auto run = d.api("POST", "/api/automations/" + aid + "/run?wait=1");
  REQUIRE(run.status == 200);
  CHECK(run.json()["status"] == "done");
  CHECK(run.json()["output"].get<std::string>().find("on-device") != std::string::npos);
  auto execs = d.api("GET", "/api/devices/" + a.id + "/executions").json();
  REQUIRE(execs["total"] == 1);
  // The execution names the run it belongs to, so a device's history leads back to it.
  CHECK(execs["executions"][0]["source"] == "run:" + run.json()["run_id"].get<std::string>());

  auto on_group = d.api("POST", "/api/automations",
                        {{"name", "on nodes"}, {"type", "script"}, {"params", {{"command", "echo hi from group"}}},
                         {"target", "group:" + gid}});
  REQUIRE(on_group.status == 201);
  std::string gaid = on_group.json()["id"];
  auto grun = d.api("POST", "/api/automations/" + gaid + "/run?wait=1");
  REQUIRE(grun.status == 200);
  CHECK(grun.json()["status"] == "done");
  std::string out = grun.json()["output"];
  CHECK(out.find("[node-a] hi from group") != std::string::npos);
  CHECK(out.find("[node-b] hi from group") != std::string::npos);

  // Targets must exist and be well formed.
  CHECK(d.api("POST", "/api/automations", {{"name", "x"}, {"type", "script"}, {"params", {{"command", "true"}}},
                                           {"target", "device:device_nope"}}).status == 400);
  CHECK(d.api("POST", "/api/automations", {{"name", "x"}, {"type", "script"}, {"params", {{"command", "true"}}},
                                           {"target", "mars"}}).status == 400);

  // A window on device b covers the group automation (b is a member), not the one on a.
  auto w = d.api("POST", "/api/maintenance",
                 {{"name", "b down"}, {"start", "2020-01-01T00:00:00"}, {"end", "2099-01-01T00:00:00"},
                  {"timezone", "UTC"}, {"scope", {b.id}}, {"autonomy_override", "disabled"}});
  REQUIRE(w.status == 201);
  auto skipped = d.api("POST", "/api/automations/" + gaid + "/run?wait=1");
  REQUIRE(skipped.status == 200);
  CHECK(skipped.json()["status"] == "skipped");
  CHECK(d.api("POST", "/api/automations/" + aid + "/run?wait=1").json()["status"] == "done");
  REQUIRE(d.api("DELETE", "/api/maintenance/" + w.json()["id"].get<std::string>()).status == 200);

  // The approval gate holds a device run until someone else approves it; then it runs there.
  auto made = run_steward({"keys", "create", "--data-dir", d.data_dir(), "--role", "full-access", "--name", "bob"});
  REQUIRE(made.exit_code == 0);
  std::string second = last_line(made.out);
  auto gated = d.api("POST", "/api/automations",
                     {{"name", "gated"}, {"type", "script"}, {"params", {{"command", "echo approved-run"}}},
                      {"target", "device:" + a.id}, {"approval", {{"required", true}}}});
  REQUIRE(gated.status == 201);
  auto held = d.api("POST", "/api/automations/" + gated.json()["id"].get<std::string>() + "/run");
  REQUIRE(held.status == 200);
  CHECK(held.json()["status"] == "pending_approval");
  std::string request = held.json()["approval_id"];
  REQUIRE(d.api_as(second, "POST", "/api/approvals/" + request + "/approve", json::object()).status == 200);
  json done = d.wait_for_run(held.json()["run_id"]);
  CHECK(done["status"] == "done");
  CHECK(done["output"].get<std::string>().find("approved-run") != std::string::npos);
  // node-a: the device automation twice, the group automation once, the approved run.
  CHECK(d.api("GET", "/api/devices/" + a.id + "/executions").json()["total"] == 4);
}

TEST_CASE("devices: routing sends an auto-targeted automation to the preferred device", "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto a = pair_agent(d, dir.path(), "router-a");
  AgentProcess pa(a.config);
  REQUIRE(wait_online(d, a.id, true));
  auto auto_run = d.api("POST", "/api/automations", {{"name", "routed"}, {"type", "script"},
                                                     {"params", {{"command", "echo routed"}}}, {"target", "auto"}});
  REQUIRE(auto_run.status == 201);
  std::string id = auto_run.json()["id"];
  // Without a preference: here.
  auto local = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  CHECK(local.json()["status"] == "done");
  CHECK(d.api("GET", "/api/devices/" + a.id + "/executions").json()["total"] == 0);
  // With one: on the device.
  REQUIRE(d.api("PUT", "/api/devices/routing/preferences/bash", {{"device_id", a.id}}).status == 200);
  auto remote = d.api("POST", "/api/automations/" + id + "/run?wait=1");
  CHECK(remote.json()["status"] == "done");
  CHECK(remote.json()["output"].get<std::string>().find("routed") != std::string::npos);
  CHECK(d.api("GET", "/api/devices/" + a.id + "/executions").json()["total"] == 1);
  auto explain = d.api("GET", "/api/devices/routing/explain?tool=bash");
  REQUIRE(explain.status == 200);
  CHECK(explain.json().dump().find(a.id) != std::string::npos);
}

TEST_CASE("devices: remote sessions are refused with 501 and the reason", "[runtime][devices]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "nosession");
  auto r = d.api("POST", "/api/devices/" + dev.id + "/remote/start");
  CHECK(r.status == 501);
  CHECK(r.json()["error"]["message"].get<std::string>().find("approval gate") != std::string::npos);
  CHECK(d.api("POST", "/api/devices/" + dev.id + "/remote/stop").status == 501);
  CHECK(d.api("POST", "/api/devices/device_nope/remote/start").status == 404);
}

TEST_CASE("devices: files are pushed to and pulled from a device with progress and checksums",
          "[runtime][devices][agents]") {
  TempDir dir;
  auto here = dir.path() / "here", there = dir.path() / "there";
  std::filesystem::create_directories(here);
  std::filesystem::create_directories(there);
  auto config = [&](const std::filesystem::path& root, const std::string& name) {
    return filesystem_roots_config(dir.path() / name, root);
  };
  Daemon d(DaemonOptions{.extra_args = {"--plugin-config", config(here, "daemon-plugins.json")}});
  auto dev = pair_agent(d, dir.path(), "files");
  AgentProcess agent(dev.config, {"--plugin-config", config(there, "agent-plugins.json")});
  REQUIRE(wait_online(d, dev.id, true));

  // 1 MiB + 3 bytes of every byte value: several chunks, binary-safe.
  std::string payload;
  for (int i = 0; i < (1 << 20) + 3; ++i) payload.push_back(static_cast<char>((i * 7 + i / 251) & 0xff));
  std::ofstream((here / "big.bin").string(), std::ios::binary) << payload;

  auto wait_done = [&](const std::string& id) {
    json found;
    eventually([&] {
      json list = d.api("GET", "/api/devices/" + dev.id + "/transfers").json();
      for (const auto& t : list["transfers"])
        if (t["transfer_id"] == id && t["status"] != "running") {
          found = t;
          return true;
        }
      return false;
    }, std::chrono::seconds(60));
    if (found.is_null()) FAIL_CHECK(d.api("GET", "/api/devices/" + dev.id + "/transfers").body);
    return found;
  };

  auto push = d.api("POST", "/api/devices/" + dev.id + "/transfers",
                    {{"direction", "push"}, {"local_path", (here / "big.bin").string()},
                     {"remote_path", (there / "copy.bin").string()}});
  REQUIRE(push.status == 202);
  json pushed = wait_done(push.json()["transfer_id"]);
  REQUIRE(pushed["status"] == "completed");
  CHECK(pushed["bytes_total"] == payload.size());
  CHECK(pushed["bytes_done"] == payload.size());
  CHECK(pushed["percent"] == 100.0);
  CHECK(pushed["sha256"].get<std::string>().size() == 64);
  CHECK(read_text(there / "copy.bin") == payload);
  CHECK(!std::filesystem::exists(there / "copy.bin.steward-partial"));

  auto pull = d.api("POST", "/api/devices/" + dev.id + "/transfers",
                    {{"direction", "pull"}, {"local_path", (here / "back.bin").string()},
                     {"remote_path", (there / "copy.bin").string()}});
  REQUIRE(pull.status == 202);
  CHECK(wait_done(pull.json()["transfer_id"])["status"] == "completed");
  CHECK(read_text(here / "back.bin") == payload);

  // Outside the device's allowed roots: refused by its filesystem tool; nothing written.
  auto outside = d.api("POST", "/api/devices/" + dev.id + "/transfers",
                       {{"direction", "push"}, {"local_path", (here / "big.bin").string()},
                        {"remote_path", (dir.path() / "escape.bin").string()}});
  REQUIRE(outside.status == 202);
  json refused = wait_done(outside.json()["transfer_id"]);
  CHECK(refused["status"] == "failed");
  CHECK(!refused["error"].is_null());
  CHECK(!std::filesystem::exists(dir.path() / "escape.bin"));
  CHECK(!std::filesystem::exists(dir.path() / "escape.bin.steward-partial"));

  // A missing source fails with its name.
  auto missing = d.api("POST", "/api/devices/" + dev.id + "/transfers",
                       {{"direction", "pull"}, {"local_path", (here / "x").string()},
                        {"remote_path", (there / "nope").string()}});
  CHECK(wait_done(missing.json()["transfer_id"])["error"].get<std::string>().find("nope") != std::string::npos);

  CHECK(d.api("POST", "/api/devices/" + dev.id + "/transfers", {{"direction", "sideways"}, {"local_path", "a"},
                                                                 {"remote_path", "b"}}).status == 400);
  CHECK(d.api("POST", "/api/devices/" + dev.id + "/transfers", {{"direction", "push"}}).status == 400);
  CHECK(d.api("GET", "/api/devices/" + dev.id + "/transfers").json()["total"] == 4);
}

TEST_CASE("devices: the agent stops cleanly on SIGTERM and refuses a wrong device endpoint",
          "[runtime][devices][agents]") {
  TempDir dir;
  Daemon d;
  auto dev = pair_agent(d, dir.path(), "tidy");
  {
    AgentProcess agent(dev.config);
    REQUIRE(wait_online(d, dev.id, true));
    int status = agent.stop(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(wait_online(d, dev.id, false));
  }
  // A config pointing at a path the hub does not serve: 404 at the handshake, exit 2.
  json config = [&] {
    std::ifstream in(dev.config);
    return json::parse(in);
  }();
  config["ws_url"] = "ws://127.0.0.1:" + std::to_string(d.device_port()) + "/not/the/endpoint";
  std::string wrong = (dir.path() / "wrong.json").string();
  std::ofstream(wrong) << config.dump();
  std::filesystem::permissions(wrong, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  AgentProcess lost(wrong);
  auto code = lost.wait_exit(std::chrono::seconds(15));
  REQUIRE(code.has_value());
  CHECK(*code == 2);
}
