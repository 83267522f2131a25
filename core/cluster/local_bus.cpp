#include "core/cluster/local_bus.hpp"

#include <stdexcept>

#include "core/util/log.hpp"

namespace steward::cluster {

void LocalBus::publish(const std::string& channel, const std::string& payload) {
  if (payload.size() > kMaxPayloadBytes) throw std::invalid_argument("bus payload over " + std::to_string(kMaxPayloadBytes) + " bytes");
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    pending_.emplace_back(channel, payload);
  }
  cv_.notify_one();
}

void LocalBus::subscribe(const std::string& channel, Handler handler) {
  std::lock_guard lock(mutex_);
  handlers_.emplace(channel, std::move(handler));
}

void LocalBus::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { loop(); });
}

void LocalBus::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LocalBus::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    auto [channel, payload] = std::move(pending_.front());
    pending_.pop_front();
    std::vector<Handler> targets;
    for (auto [it, end] = handlers_.equal_range(channel); it != end; ++it) targets.push_back(it->second);
    lock.unlock();
    for (auto& h : targets) {
      try {
        h(payload);
      } catch (const std::exception& e) {
        log(LogLevel::Error, "bus", channel + ": handler failed: " + e.what());
      }
    }
    lock.lock();
  }
}

}  // namespace steward::cluster
