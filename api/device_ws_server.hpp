// The device port's WebSocket edge: GET /device/ws?token=… upgraded to a WebSocket whose
// text frames go to the hub (docs/device-protocol.md §2). One small-stack pool thread per
// connected agent blocks in receiveFrame(); sends come from any thread, one at a time.
#pragma once

#include <memory>
#include <string>

#include "core/devices/device_hub.hpp"

namespace steward::api {

struct DeviceServerOptions {
  std::string bind = "127.0.0.1";
  int port = 18781;           // 0 picks a free port; port() tells which
  int max_connections = 2048;
  int max_frame_bytes = 1 << 20;
};

class DeviceWsServer {
 public:
  DeviceWsServer(DeviceHub& hub, DeviceServerOptions options);
  ~DeviceWsServer();
  void start();
  void stop();  // stops accepting and closes every connection
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steward::api
