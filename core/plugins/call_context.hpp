// What one plugin call (run or plan) reports into. The host's C callbacks forward to it;
// the run engine implements it for tool runs, and PlanCall below collects a plan.
#pragma once

#include <steward/plugin.h>

#include <string>
#include <string_view>

namespace steward {

class CallContext {
 public:
  virtual ~CallContext() = default;
  // Returns false once the call is cancelled.
  virtual bool on_output(steward_stream stream, std::string_view chunk) = 0;
  virtual void on_result(std::string_view json) { result = std::string(json); }
  virtual void on_error(std::string_view message) { error = std::string(message); }
  virtual bool cancelled() const { return false; }

  std::string result;
  std::string error;
};

// A call whose output nobody reads (planning; a transfer's filesystem calls): output is ignored,
// result and error are kept.
class PlanCall : public CallContext {
 public:
  bool on_output(steward_stream, std::string_view) override { return true; }
};

}  // namespace steward
