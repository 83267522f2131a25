#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>

namespace steward::test {

TempDir::TempDir() {
  auto base = std::filesystem::temp_directory_path() / "steward-test-XXXXXX";
  std::string tmpl = base.string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace steward::test
