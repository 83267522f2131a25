// A tool named "mirror", loaded next to an automation type also named "mirror": names are
// unique per kind, so both load.
#include <steward/plugin.hpp>

namespace {

class MirrorTool {
 public:
  MirrorTool(const steward::Host&, std::string_view) {}
  steward_rc run(steward::Run& run, std::string_view) {
    run.output("mirror tool\n");
    run.result(R"({"exit_code":0})");
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_TOOL_PLUGIN(MirrorTool, "mirror", "1.0.0", "A tool sharing its name with an automation type",
                    R"({"type":"object"})")
