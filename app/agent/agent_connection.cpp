#include "app/agent/agent_connection.hpp"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "app/agent/agent_session.hpp"
#include "app/agent/backoff.hpp"

namespace steward::agent {

using Poco::Net::WebSocket;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxFrameBytes = 1024 * 1024;  // protocol §1: one message is at most 1 MiB
constexpr int kCloseRevoked = 4001;
constexpr int kFin = WebSocket::FRAME_FLAG_FIN;

void say(const std::string& line) { std::cerr << "steward agent: " << line << std::endl; }

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace

struct AgentConnection::Outcome {
  enum Kind { Stopped, Dropped, Blocked, Revoked, Unusable } kind = Dropped;
  std::string reason;
  Clock::duration connected_for{};
};

AgentConnection::AgentConnection(const PluginRegistry& registry, AgentConfig config, HostFacts facts,
                                 ConnectionOptions options)
    : registry_(registry), config_(std::move(config)), facts_(std::move(facts)), options_(options) {}

void AgentConnection::stop() {
  {
    std::lock_guard lock(wait_mutex_);
    stopping_ = true;
  }
  wait_cv_.notify_all();
}

bool AgentConnection::wait_or_stop(std::chrono::milliseconds delay) {
  std::unique_lock lock(wait_mutex_);
  return wait_cv_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

int AgentConnection::run() {
  Backoff backoff;
  while (!stopping_) {
    Outcome o = serve_once();
    switch (o.kind) {
      case Outcome::Stopped:
        return kExitOk;
      case Outcome::Revoked:
        say(o.reason + "; re-pair with steward agent pair");
        return kExitRepair;
      case Outcome::Unusable:
        say(o.reason);
        return kExitUsage;
      case Outcome::Blocked: {
        auto delay = Backoff::blocked();
        say("disconnected: " + o.reason + ", retrying in " + seconds_text(delay));
        if (wait_or_stop(delay)) return kExitOk;
        break;
      }
      case Outcome::Dropped: {
        backoff.connection_ended(o.connected_for);
        auto delay = backoff.next();
        say("disconnected: " + o.reason + ", retrying in " + seconds_text(delay));
        if (wait_or_stop(delay)) return kExitOk;
        break;
      }
    }
  }
  return kExitOk;
}

AgentConnection::Outcome AgentConnection::serve_once() {
  Outcome out;
  Poco::URI uri;
  try {
    uri = Poco::URI(config_.ws_url);
  } catch (const Poco::Exception& e) {
    return {Outcome::Unusable, "ws_url '" + config_.ws_url + "' is not a URL: " + e.displayText(), {}};
  }
  if (uri.getScheme() != "ws")
    return {Outcome::Unusable, "ws_url '" + config_.ws_url + "': only ws:// is supported", {}};
  Poco::URI with_token(uri);
  with_token.addQueryParameter("token", config_.token);

  // Handshake. The hub answers plain HTTP errors before the upgrade (protocol §2).
  std::unique_ptr<WebSocket> ws;
  Poco::Net::HTTPClientSession http(uri.getHost(), uri.getPort());
  http.setTimeout(Poco::Timespan(static_cast<long>(options_.handshake_timeout.count()), 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, with_token.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  try {
    ws = std::make_unique<WebSocket>(http, request, response);
  } catch (const Poco::Exception& e) {
    // Poco re-sends the request once after a 401, so a 401 can also surface as a network
    // error on that second try: the status read first is what counts.
    int status = static_cast<int>(response.getStatus());
    const auto* wse = dynamic_cast<const Poco::Net::WebSocketException*>(&e);
    if (wse && wse->code() == WebSocket::WS_ERR_UNAUTHORIZED) status = 401;
    if (status == 401) return {Outcome::Revoked, "the hub rejected the device token (401 invalid_token)", {}};
    if (status == 403) return {Outcome::Blocked, "the device is blocked (403 device_blocked)", {}};
    if (status == 404)
      return {Outcome::Unusable, "the hub has no device endpoint at " + config_.ws_url + " (404 not_found)", {}};
    if (wse) return {Outcome::Dropped, "handshake refused (HTTP " + std::to_string(status) + ")", {}};
    return {Outcome::Dropped, "cannot connect to " + config_.ws_url + ": " + e.displayText(), {}};
  }

  const auto connected_at = Clock::now();
  say("connected to " + config_.ws_url);
  ws->setMaxPayloadSize(kMaxFrameBytes);
  ws->setSendTimeout(Poco::Timespan(static_cast<long>(options_.send_timeout.count()), 0));
  ws->setReceiveTimeout(Poco::Timespan(static_cast<long>(options_.send_timeout.count()), 0));

  std::mutex frame_mutex;  // one sendFrame at a time: text from several threads, pongs, close
  auto send_frame = [&](const void* data, std::size_t size, int flags) {
    std::lock_guard lock(frame_mutex);
    ws->sendFrame(data, static_cast<int>(size), flags);
  };
  SessionOptions session_options;
  session_options.health_sample_ms = options_.health_sample_ms;
  AgentSession session(
      registry_, facts_,
      [&](const std::string& text) { send_frame(text.data(), text.size(), WebSocket::FRAME_TEXT); },
      session_options);

  // Health: first right after hello is accepted, then every health_interval_s.
  std::mutex health_mutex;
  std::condition_variable health_cv;
  bool connection_over = false;
  std::thread health([&] {
    std::unique_lock lock(health_mutex);
    while (!connection_over) {
      if (session.hello_state() != AgentSession::HelloState::Accepted) {
        health_cv.wait_for(lock, std::chrono::milliseconds(100));
        continue;
      }
      lock.unlock();
      session.send_health();
      lock.lock();
      health_cv.wait_for(lock, std::chrono::seconds(session.health_interval_s()), [&] { return connection_over; });
    }
  });

  out = receive_loop(*ws, session, send_frame);
  out.connected_for = Clock::now() - connected_at;

  {
    std::lock_guard lock(health_mutex);
    connection_over = true;
  }
  health_cv.notify_all();
  health.join();
  // Nothing is sent from here on; running tools are cancelled and joined.
  session.on_disconnect();
  try {
    if (out.kind == Outcome::Stopped) ws->shutdown(WebSocket::WS_NORMAL_CLOSE, "agent stopping");
  } catch (const Poco::Exception&) {
    // the socket is already gone: nothing to tell
  }
  try {
    ws->close();
  } catch (const Poco::Exception&) {
  }
  return out;
}

template <typename SendFrame>
AgentConnection::Outcome AgentConnection::receive_loop(WebSocket& ws, AgentSession& session, SendFrame& send_frame) {
  const std::string hello = session.hello_request();
  try {
    send_frame(hello.data(), hello.size(), WebSocket::FRAME_TEXT);
  } catch (const Poco::Exception& e) {
    return {Outcome::Dropped, "sending hello failed: " + e.displayText(), {}};
  }
  bool announced = false;
  std::string message;  // a text message arriving in fragments
  bool in_text = false;
  try {
    while (!stopping_) {
      switch (session.hello_state()) {
        case AgentSession::HelloState::Rejected:
          return {Outcome::Dropped, "the hub rejected hello: " + session.hello_error(), {}};
        case AgentSession::HelloState::Accepted:
          if (!announced) {
            const std::string id = session.device_id().empty() ? config_.device_id : session.device_id();
            const std::string status = session.device_status().empty() ? "unknown" : session.device_status();
            say("registered as " + id + " (status " + status + ")");
            announced = true;
          }
          break;
        default:
          break;
      }
      // Poll first so stop() is noticed within a quarter second; a frame that has begun
      // arriving is then read whole (with the receive timeout).
      if (!ws.poll(Poco::Timespan(0, 250000), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR))
        continue;
      Poco::Buffer<char> buffer(0);
      int flags = 0;
      int n = ws.receiveFrame(buffer, flags);
      if (n == 0 && flags == 0) return {Outcome::Dropped, "the hub closed the connection", {}};
      const int op = flags & WebSocket::FRAME_OP_BITMASK;
      const bool fin = (flags & WebSocket::FRAME_FLAG_FIN) != 0;
      const std::string payload(buffer.begin(), static_cast<std::size_t>(n));
      switch (op) {
        case WebSocket::FRAME_OP_TEXT:
        case WebSocket::FRAME_OP_CONT:
          if (op == WebSocket::FRAME_OP_TEXT) {
            message = payload;
            in_text = true;
          } else if (in_text) {
            message += payload;
            if (message.size() > static_cast<std::size_t>(kMaxFrameBytes))
              return {Outcome::Dropped, "the hub sent a message over 1 MiB", {}};
          }
          if (fin && in_text) {
            in_text = false;
            session.on_message(message);
          }
          break;
        case WebSocket::FRAME_OP_PING:
          send_frame(payload.data(), payload.size(), kFin | static_cast<int>(WebSocket::FRAME_OP_PONG));
          break;
        case WebSocket::FRAME_OP_CLOSE: {
          int code = n >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1])
                            : 1005;
          std::string why = n > 2 ? payload.substr(2) : "";
          try {  // echo the close, as RFC 6455 asks
            send_frame(payload.data(), std::min<std::size_t>(payload.size(), 2),
                       kFin | static_cast<int>(WebSocket::FRAME_OP_CLOSE));
          } catch (const Poco::Exception&) {
          }
          std::string text = "the hub closed the connection (code " + std::to_string(code) +
                             (why.empty() ? "" : " " + why) + ")";
          if (code == kCloseRevoked) return {Outcome::Revoked, text + ": the token was revoked or the device deleted", {}};
          return {Outcome::Dropped, text, {}};
        }
        default:
          break;  // binary frames and pongs carry nothing for the agent
      }
    }
  } catch (const Poco::Exception& e) {
    return {Outcome::Dropped, "connection lost: " + e.displayText(), {}};
  } catch (const std::exception& e) {
    return {Outcome::Dropped, std::string("connection lost: ") + e.what(), {}};
  }
  return {Outcome::Stopped, "stopped", {}};
}

}  // namespace steward::agent
