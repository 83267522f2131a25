// An automation type named "mirror" whose plan is one step of the tool "mirror".
#include <steward/plugin.hpp>

namespace {

class MirrorType {
 public:
  MirrorType(const steward::Host&, std::string_view) {}
  steward_rc plan(steward::Run& run, std::string_view) {
    run.result(R"([{"tool":"mirror","args":{}}])");
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(MirrorType, "mirror", "1.0.0", "An automation type sharing its name with a tool",
                               R"({"type":"object"})")
