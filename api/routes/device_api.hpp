// What the device routes use, beside ApiContext: the device stores, pairing, routing and
// the hub's view of live connections. Absent (nullptr in ApiContext) in builds or tests
// that serve no devices.
#pragma once

#include "core/devices/device_presence.hpp"
#include "core/devices/device_store.hpp"
#include "core/devices/group_store.hpp"
#include "core/devices/pairing.hpp"
#include "core/devices/routing.hpp"

namespace steward {
class DeviceHub;
class ExecutionStore;
class TransferService;
class TransferStore;
}  // namespace steward

namespace steward::api {

struct DeviceApi {
  DeviceStore& store;
  Pairing& pairing;
  GroupStore& groups;
  Routing& routing;
  DevicePresence& presence;
  bool auto_approve = false;
  int device_port = 18781;
  DeviceHub* hub = nullptr;               // execute, queue, group execute
  ExecutionStore* executions = nullptr;   // executions list, queue
  TransferService* transfers = nullptr;   // push / pull files
  TransferStore* transfer_store = nullptr;
};

}  // namespace steward::api
