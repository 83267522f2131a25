// `steward runs tail RUN_ID`: follows a run's live output over the SSE stream, as `tail -f`
// does a file, and exits with the run: 0 when it ended `done`, 1 otherwise. A dropped
// connection is resumed from the last event id, so nothing is printed twice or skipped.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/commands.hpp"

namespace steward::app {

namespace {

struct Event {
  std::string type, data, id;
};

enum class Outcome { Ended, Lost, Refused };

// Reads events until the end event or the connection closes; prints output as it comes.
Outcome follow(std::istream& in, std::string& last_id, int& exit_code) {
  Event ev;
  std::string line;
  bool has_data = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (!has_data) continue;
      if (!ev.id.empty()) last_id = ev.id;
      if (ev.type.empty()) {
        std::cout << ev.data << std::flush;
      } else if (ev.type == "end") {
        auto end = nlohmann::json::parse(ev.data, nullptr, false);
        std::string status = end.is_object() ? end.value("status", "?") : "?";
        std::cerr << "steward: run ended: " << status;
        if (end.is_object() && end.contains("reason")) std::cerr << " (" << end["reason"].get<std::string>() << ")";
        std::cerr << "\n";
        exit_code = status == "done" ? 0 : 1;
        return Outcome::Ended;
      } else if (ev.type == "dropped") {
        auto why = nlohmann::json::parse(ev.data, nullptr, false);
        std::cerr << "steward: the stream dropped this reader (too slow); resuming from the oldest byte kept\n";
        if (why.is_object() && why.contains("oldest_offset")) last_id = std::to_string(why["oldest_offset"].get<long long>());
        return Outcome::Lost;
      }
      ev = Event{};
      has_data = false;
      continue;
    }
    if (line[0] == ':') continue;
    auto colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "data") {
      ev.data += (has_data ? "\n" : "") + value;
      has_data = true;
    } else if (field == "event") {
      ev.type = value;
    } else if (field == "id") {
      ev.id = value;
    }
  }
  return Outcome::Lost;
}

}  // namespace

int run_runs(const CommandLine& cmd) {
  if (cmd.args.size() != 2 || cmd.args[0] != "tail") {
    std::cerr << "steward runs: expected 'tail RUN_ID'\n";
    return 2;
  }
  const std::string& run_id = cmd.args[1];
  Settings s = settings_for(cmd);
  std::string url = cmd.options.count("url") ? cmd.options.at("url")
                                             : "http://" + s.bind + ":" + std::to_string(s.port);
  std::string key = cmd.options.count("key") ? cmd.options.at("key") : "";
  if (key.empty())
    if (const char* env = std::getenv("STEWARD_API_KEY")) key = env;
  if (key.empty()) {
    std::cerr << "steward runs tail: an API key is needed: --key KEY or STEWARD_API_KEY\n";
    return 2;
  }
  Poco::URI base;
  try {
    base = Poco::URI(url);
  } catch (const std::exception& e) {
    std::cerr << "steward runs tail: bad --url '" << url << "': " << e.what() << "\n";
    return 2;
  }

  std::string last_id;
  int exit_code = 1;
  for (int attempt = 0; attempt < 30; ++attempt) {
    try {
      Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
      session.setTimeout(Poco::Timespan(60, 0));  // the server sends a keep-alive every 15 s
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/api/automations/runs/" + run_id + "/stream",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.set("Authorization", "Bearer " + key);
      req.set("Accept", "text/event-stream");
      if (!last_id.empty()) req.set("Last-Event-ID", last_id);
      session.sendRequest(req);
      Poco::Net::HTTPResponse resp;
      std::istream& in = session.receiveResponse(resp);
      if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
        std::string body(std::istreambuf_iterator<char>(in), {});
        auto err = nlohmann::json::parse(body, nullptr, false);
        std::cerr << "steward runs tail: HTTP " << static_cast<int>(resp.getStatus()) << ": "
                  << (err.is_object() && err.contains("error") ? err["error"].value("message", body) : body) << "\n";
        return 1;
      }
      if (follow(in, last_id, exit_code) == Outcome::Ended) return exit_code;
      attempt = 0;  // it was connected: a fresh budget of retries for the next loss
    } catch (const std::exception& e) {
      std::cerr << "steward runs tail: connection lost (" << e.what() << "); retrying\n";
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cerr << "steward runs tail: gave up reconnecting\n";
  return 1;
}

}  // namespace steward::app
