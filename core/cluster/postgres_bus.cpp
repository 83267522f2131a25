#include "core/cluster/postgres_bus.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <stdexcept>

#include "core/cluster/local_bus.hpp"
#include "core/store/database_url.hpp"
#include "core/util/log.hpp"

namespace steward::cluster {

namespace {

// Channel names are ours (constants in the code), but they go into LISTEN unquoted.
bool plain_identifier(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

struct Connection {
  PGconn* conn = nullptr;
  ~Connection() { close(); }
  void close() {
    if (conn) PQfinish(conn);
    conn = nullptr;
  }
};

}  // namespace

PostgresBus::PostgresBus(store::Database& db, std::string url) : db_(db), url_(std::move(url)) {}

PostgresBus::~PostgresBus() { stop(); }

void PostgresBus::publish(const std::string& channel, const std::string& payload) {
  if (payload.size() > kMaxPayloadBytes)
    throw std::invalid_argument("bus payload over " + std::to_string(kMaxPayloadBytes) + " bytes");
  db_.query("SELECT pg_notify(?, ?)", {channel, payload});
}

void PostgresBus::subscribe(const std::string& channel, Handler handler) {
  if (!plain_identifier(channel)) throw std::invalid_argument("bus channel '" + channel + "' is not a plain name");
  std::lock_guard lock(mutex_);
  handlers_.emplace(channel, std::move(handler));
}

void PostgresBus::on_resync(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  resync_.push_back(std::move(handler));
}

void PostgresBus::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void PostgresBus::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void PostgresBus::loop() {
  Connection c;
  bool connected_before = false;
  std::string url = url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
  while (!stopping_) {
    if (!c.conn || PQstatus(c.conn) != CONNECTION_OK) {
      c.close();
      c.conn = PQconnectdb(url.c_str());
      bool ok = PQstatus(c.conn) == CONNECTION_OK;
      std::vector<std::string> channels;
      {
        std::lock_guard lock(mutex_);
        for (auto it = handlers_.begin(); it != handlers_.end(); it = handlers_.upper_bound(it->first))
          channels.push_back(it->first);
      }
      for (std::size_t i = 0; ok && i < channels.size(); ++i) {
        PGresult* r = PQexec(c.conn, ("LISTEN " + channels[i]).c_str());
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
      }
      if (!ok) {
        log(LogLevel::Warning, "bus", "cannot listen on " + store::masked(url_) + "; retrying in 1 s");
        c.close();
        for (int i = 0; i < 10 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (connected_before) {
        log(LogLevel::Info, "bus", "listening again; re-reading what may have been missed");
        std::vector<std::function<void()>> resync;
        {
          std::lock_guard lock(mutex_);
          resync = resync_;
        }
        for (auto& h : resync) {
          try {
            h();
          } catch (const std::exception& e) {
            log(LogLevel::Error, "bus", std::string("resync failed: ") + e.what());
          }
        }
      }
      connected_before = true;
    }
    pollfd p{PQsocket(c.conn), POLLIN, 0};
    if (::poll(&p, 1, 200) < 0) continue;
    if (!PQconsumeInput(c.conn)) {
      log(LogLevel::Warning, "bus", std::string("listening connection lost: ") + PQerrorMessage(c.conn));
      c.close();
      continue;
    }
    while (PGnotify* n = PQnotifies(c.conn)) {
      std::string channel = n->relname, payload = n->extra ? n->extra : "";
      PQfreemem(n);
      std::vector<Handler> targets;
      {
        std::lock_guard lock(mutex_);
        for (auto [it, end] = handlers_.equal_range(channel); it != end; ++it) targets.push_back(it->second);
      }
      for (auto& h : targets) {
        try {
          h(payload);
        } catch (const std::exception& e) {
          log(LogLevel::Error, "bus", channel + ": handler failed: " + e.what());
        }
      }
    }
  }
}

std::unique_ptr<Bus> open_bus(store::Database& db, const std::string& url) {
  if (db.is_postgres()) return std::make_unique<PostgresBus>(db, url);
  return std::unique_ptr<Bus>(new LocalBus());
}

}  // namespace steward::cluster
