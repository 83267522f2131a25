// `steward completion bash`: prints the bash completion script, built from the same command
// table as --help (app/cli_spec.cpp), so completion never lags behind the options.
#include <iostream>

#include "app/cli_spec.hpp"
#include "app/commands.hpp"

namespace steward::app {

int run_completion(const CommandLine& cmd) {
  if (cmd.args.size() != 1) {
    std::cerr << "steward completion: expected the shell name: steward completion bash\n";
    return 2;
  }
  if (cmd.args[0] != "bash") {
    std::cerr << "steward completion: no completion for '" << cmd.args[0] << "'; only bash is supported\n";
    return 2;
  }
  std::cout << bash_completion_script();
  return 0;
}

}  // namespace steward::app
