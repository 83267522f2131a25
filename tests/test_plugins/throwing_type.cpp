// An automation type that throws from plan(): the wrapper turns it into STEWARD_ERROR.
#include <stdexcept>
#include <steward/plugin.hpp>

namespace {

class ThrowingPlanner {
 public:
  ThrowingPlanner(const steward::Host&, std::string_view) {}
  steward_rc plan(steward::Run&, std::string_view) { throw std::logic_error("planner: cannot plan today"); }
};

}  // namespace

STEWARD_AUTOMATION_TYPE_PLUGIN(ThrowingPlanner, "throwing_planner", "1.0.0", "Throws from plan()",
                               R"({"type":"object"})")
