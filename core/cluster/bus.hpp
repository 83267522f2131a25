// Messages between the daemons sharing one database (docs/operations.md, "Running a
// cluster"). On PostgreSQL a message is a NOTIFY on a channel and every daemon LISTENs on
// its own connection; on SQLite there is one daemon, and the bus delivers to it alone.
// Payloads are short (ids, a few fields as JSON): at most 7,900 bytes.
//
// Delivery is at most once and only while connected. A subscriber that must not miss a
// message also gets on_resync after a reconnection, and re-reads the database then.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/store/database.hpp"

namespace steward::cluster {

class Bus {
 public:
  using Handler = std::function<void(const std::string& payload)>;
  virtual ~Bus() = default;

  // Sends `payload` on `channel` through `db`. Inside an open transaction it is delivered
  // when (and only if) that transaction commits. Throws std::invalid_argument when the
  // payload is too long.
  virtual void publish(const std::string& channel, const std::string& payload) = 0;
  // Handlers run on the bus's own thread, one message at a time: they must not block
  // for long. Subscribe before start().
  virtual void subscribe(const std::string& channel, Handler handler) = 0;
  // Called (on the bus thread) after the listening connection was lost and re-established.
  virtual void on_resync(std::function<void()> handler) = 0;
  virtual void start() = 0;
  virtual void stop() = 0;  // idempotent; no handler runs after it returns
};

constexpr std::size_t kMaxPayloadBytes = 7900;

// A PostgreSQL bus (LISTEN on a second connection to `url`) when `db` is PostgreSQL,
// otherwise an in-process one.
std::unique_ptr<Bus> open_bus(store::Database& db, const std::string& url);

}  // namespace steward::cluster
