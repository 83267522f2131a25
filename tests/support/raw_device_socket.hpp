// A WebSocket to the device hub holding a device's token, speaking frames directly: for what
// a well-behaved agent never sends, and for a second connection of the same device.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>

#include <memory>
#include <string>

namespace steward::test {

class RawDeviceSocket {
 public:
  RawDeviceSocket(int port, const std::string& token, int receive_timeout_s = 10)
      : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/device/ws?token=" + token,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    ws_ = std::make_unique<Poco::Net::WebSocket>(session_, req, response_);
    ws_->setReceiveTimeout(Poco::Timespan(receive_timeout_s, 0));
  }

  void send(const std::string& text) { ws_->sendFrame(text.data(), static_cast<int>(text.size())); }

  // The next text frame, or "" with `close_code` set when the hub closed the connection.
  std::string receive(int* close_code = nullptr) {
    char buf[65536];
    for (;;) {
      int flags = 0;
      int n = ws_->receiveFrame(buf, sizeof buf, flags);
      int op = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
      if (op == Poco::Net::WebSocket::FRAME_OP_CLOSE || (n == 0 && flags == 0)) {
        if (close_code)
          *close_code = n >= 2 ? (static_cast<unsigned char>(buf[0]) << 8) | static_cast<unsigned char>(buf[1]) : 0;
        return "";
      }
      if (op == Poco::Net::WebSocket::FRAME_OP_TEXT) return std::string(buf, static_cast<std::size_t>(n));
    }
  }

  // Reads until the hub closes the connection; its close code (0: none before the timeout).
  int close_code() {
    int code = 0;
    try {
      while (!receive(&code).empty()) {
      }
    } catch (const Poco::Exception&) {
      return 0;
    }
    return code;
  }

 private:
  Poco::Net::HTTPClientSession session_;
  Poco::Net::HTTPResponse response_;
  std::unique_ptr<Poco::Net::WebSocket> ws_;
};

}  // namespace steward::test
