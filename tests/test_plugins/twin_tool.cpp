// Built twice into one directory (twin_a.so, twin_b.so): the second tool named "twin" must
// be refused with a message naming the file the first one came from.
#include <steward/plugin.hpp>

namespace {

class Twin {
 public:
  Twin(const steward::Host&, std::string_view) {}
  steward_rc run(steward::Run& run, std::string_view) {
    run.output("twin\n");
    run.result(R"({"exit_code":0})");
    return STEWARD_OK;
  }
};

}  // namespace

STEWARD_TOOL_PLUGIN(Twin, "twin", "1.0.0", "One of two tools with the same name", R"({"type":"object"})")
