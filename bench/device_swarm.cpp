// device_swarm: one process holding N device connections that speak the real protocol
// (docs/device-protocol.md), for bench/devices.sh. It pairs N devices through the REST API
// (pair + claim), connects N WebSockets, says hello on each, then answers every `execute`
// at once with an `output` notification and a `completed` answer, as an agent whose tool
// took no time would. What it measures is the hub: connections, dispatch and collection,
// not 1,000 bash processes on a 2-core machine.
//
// Usage: device_swarm --rest-port P --key ADMIN_KEY --hub-pid PID [--devices N] [--idle-s S]
// Prints a Markdown table.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/Socket.h>
#include <Poco/Net/WebSocket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int rest_port = 18780;
  std::string key;
  int hub_pid = 0;
  int devices = 1000;
  int idle_s = 10;
};

json call(int port, const std::string& key, const std::string& method, const std::string& path, const json& body,
          int* status_out = nullptr) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  s.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!key.empty()) req.set("Authorization", "Bearer " + key);
  std::string text = body.is_null() ? "" : body.dump();
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(text.size()));
  s.sendRequest(req) << text;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  std::string answer(std::istreambuf_iterator<char>(in), {});
  if (status_out) *status_out = resp.getStatus();
  json j = json::parse(answer, nullptr, false);
  if (resp.getStatus() >= 300) throw std::runtime_error(method + " " + path + ": " + answer);
  return j;
}

struct Device {
  std::string id, token, ws_url;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::unique_ptr<Poco::Net::WebSocket> ws;
};

std::int64_t rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

int threads_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}

// utime + stime of a process, in clock ticks.
long long cpu_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), {});
  auto close = all.rfind(')');
  std::istringstream rest(all.substr(close + 2));
  std::string f;
  std::vector<std::string> fields;
  while (rest >> f) fields.push_back(f);
  return std::stoll(fields[11]) + std::stoll(fields[12]);  // fields 14 and 15 of stat
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void send(Poco::Net::WebSocket& ws, const std::string& text) {
  ws.sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
}

std::string receive(Poco::Net::WebSocket& ws, std::vector<char>& buf) {
  int flags = 0;
  int n = ws.receiveFrame(buf.data(), static_cast<int>(buf.size()), flags);
  if ((flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) == Poco::Net::WebSocket::FRAME_OP_PING) {
    ws.sendFrame(buf.data(), n, static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN) |
                                    static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PONG));
    return "";
  }
  if (n <= 0) throw std::runtime_error("connection closed by the hub");
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--rest-port") o.rest_port = std::stoi(v);
    else if (k == "--key") o.key = v;
    else if (k == "--hub-pid") o.hub_pid = std::stoi(v);
    else if (k == "--devices") o.devices = std::stoi(v);
    else if (k == "--idle-s") o.idle_s = std::stoi(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  try {
    const std::int64_t rss_before = rss_kib(o.hub_pid);

    // 1. Pair every device (code + claim), as `steward agent pair` does.
    std::vector<Device> devices(static_cast<std::size_t>(o.devices));
    auto t_pair = Clock::now();
    for (int i = 0; i < o.devices; ++i) {
      json code = call(o.rest_port, o.key, "POST", "/api/devices/pair", nullptr);
      json claim = call(o.rest_port, "", "POST", "/api/devices/pair/claim",
                        {{"code", code["code"]}, {"name", "swarm-" + std::to_string(i)}, {"platform", "Linux"},
                         {"architecture", "x86_64"}, {"os_version", "swarm"}, {"agent_version", "bench"},
                         {"hostname", "swarm-" + std::to_string(i)}});
      devices[static_cast<std::size_t>(i)].id = claim["device_id"];
      devices[static_cast<std::size_t>(i)].token = claim["token"];
      devices[static_cast<std::size_t>(i)].ws_url = claim["ws_url"];
      if (claim["status"] != "approved") call(o.rest_port, o.key, "POST", "/api/devices/" + claim["device_id"].get<std::string>() + "/approve", nullptr);
    }
    double pair_s = std::chrono::duration<double>(Clock::now() - t_pair).count();

    // 2. Connect and say hello on every one.
    auto t_connect = Clock::now();
    std::vector<char> buf(1 << 20);
    for (auto& d : devices) {
      std::string url = d.ws_url;  // ws://host:port/device/ws
      auto hostport = url.substr(5, url.find('/', 5) - 5);
      auto colon = hostport.rfind(':');
      d.session = std::make_unique<Poco::Net::HTTPClientSession>(hostport.substr(0, colon),
                                                                 static_cast<Poco::UInt16>(std::stoi(hostport.substr(colon + 1))));
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/device/ws?token=" + d.token,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      Poco::Net::HTTPResponse resp;
      d.ws = std::make_unique<Poco::Net::WebSocket>(*d.session, req, resp);
      send(*d.ws, json({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "hello"},
                        {"params", {{"platform", "Linux"}, {"architecture", "x86_64"}, {"os_version", "swarm"},
                                    {"agent_version", "bench"}, {"capabilities", {"bash"}}}}})
                         .dump());
      std::string answer;
      while (answer.empty()) answer = receive(*d.ws, buf);
      if (!json::parse(answer).contains("result")) throw std::runtime_error("hello refused: " + answer);
    }
    double connect_s = std::chrono::duration<double>(Clock::now() - t_connect).count();

    // 3. Idle: hub RSS, threads and CPU with every device connected.
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<double> arrival_ms;  // execute request received, since the group call began
    Clock::time_point t0;
    std::thread responder([&] {
      Poco::Net::Socket::SocketList all;
      std::map<Poco::Net::Socket, Device*> by_socket;
      for (auto& d : devices) {
        all.push_back(*d.ws);
        by_socket[*d.ws] = &d;
      }
      std::vector<char> rbuf(1 << 20);
      while (!stop) {
        Poco::Net::Socket::SocketList readable = all, w, e;
        if (Poco::Net::Socket::select(readable, w, e, Poco::Timespan(0, 200000)) == 0) continue;
        for (auto& s : readable) {
          Device* d = by_socket[s];
          std::string text = receive(*d->ws, rbuf);
          if (text.empty()) continue;
          json m = json::parse(text, nullptr, false);
          if (!m.is_object() || !m.contains("method")) continue;
          if (m["method"] == "ping") {
            send(*d->ws, json({{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", {{"time", "now"}}}}).dump());
          } else if (m["method"] == "execute") {
            {
              std::lock_guard lock(mutex);
              arrival_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
            std::string id = m["params"]["execution_id"];
            send(*d->ws, json({{"jsonrpc", "2.0"}, {"method", "output"},
                               {"params", {{"execution_id", id}, {"stream", "stdout"}, {"data", "ok\n"}}}})
                             .dump());
            send(*d->ws, json({{"jsonrpc", "2.0"}, {"id", id},
                               {"result", {{"execution_id", id}, {"status", "completed"}, {"exit_code", 0},
                                           {"error", nullptr}, {"result", {{"exit_code", 0}}}, {"duration_ms", 0}}}})
                             .dump());
          }
        }
      }
    });

    std::this_thread::sleep_for(std::chrono::seconds(2));
    long long ticks_a = cpu_ticks(o.hub_pid);
    std::this_thread::sleep_for(std::chrono::seconds(o.idle_s));
    long long ticks_b = cpu_ticks(o.hub_pid);
    double idle_cpu = 100.0 * static_cast<double>(ticks_b - ticks_a) / static_cast<double>(sysconf(_SC_CLK_TCK)) / o.idle_s;
    std::int64_t rss_idle = rss_kib(o.hub_pid);
    int hub_threads = threads_of(o.hub_pid);
    json online = call(o.rest_port, o.key, "GET", "/api/devices?limit=1", nullptr);

    // 4. A group of all of them; execute `echo ok` on the group.
    json group = call(o.rest_port, o.key, "POST", "/api/device-groups", {{"name", "swarm"}});
    std::string gid = group["id"];
    for (auto& d : devices) call(o.rest_port, o.key, "POST", "/api/device-groups/" + gid + "/members/" + d.id, nullptr);
    t0 = Clock::now();
    json result = call(o.rest_port, o.key, "POST", "/api/device-groups/" + gid + "/execute",
                       {{"tool", "bash"}, {"args", {{"command", "echo ok"}}}, {"timeout", 30}});
    double total_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    stop = true;
    responder.join();

    std::vector<double> durations;
    int completed = 0;
    for (const auto& r : result["results"]) {
      if (r["status"] == "completed") ++completed;
      if (r.contains("duration_ms") && r["duration_ms"].is_number()) durations.push_back(r["duration_ms"].get<double>());
    }
    std::printf("| measure | value |\n|---|---|\n");
    std::printf("| devices connected | %d (pairing %.1f s, connect + hello %.1f s) |\n", o.devices, pair_s, connect_s);
    std::printf("| hub RSS before / with all connected, idle | %.1f MiB / %.1f MiB |\n", rss_before / 1024.0,
                rss_idle / 1024.0);
    std::printf("| hub threads, idle | %d |\n", hub_threads);
    std::printf("| hub CPU, idle (%d s) | %.1f %% of one core |\n", o.idle_s, idle_cpu);
    std::printf("| group execute: results back | %d / %d completed |\n", completed, o.devices);
    std::printf("| group execute: total until every result is in | %.0f ms |\n", total_ms);
    std::printf("| per device: execute received by the agent, p50 / p99 | %.0f / %.0f ms |\n",
                percentile(arrival_ms, 0.5), percentile(arrival_ms, 0.99));
    std::printf("| per device: hub-side duration (sent to answered), p50 / p99 | %.0f / %.0f ms |\n",
                percentile(durations, 0.5), percentile(durations, 0.99));
    std::printf("| hub RSS after the group execute | %.1f MiB |\n", rss_kib(o.hub_pid) / 1024.0);
    (void)online;
    return completed == o.devices ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "device_swarm: " << e.what() << "\n";
    return 1;
  }
}
