// Every curl example of a document, executed against a real daemon; the convention is
// docs/contributing-docs.md. ctest runs one document per entry (tests/docs_examples.cmake sets
// DOC_EXAMPLES_FILE to its path); `DOC_EXAMPLES_FILE=all runtime_tests "[doc-examples]"` runs
// README.md and every docs/*.md in turn. DOC_EXAMPLES_VERBOSE=1 prints each command as run.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/doc_examples.hpp"
#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace steward::test;
using namespace steward::test::docs;

namespace {

constexpr auto kCommandTimeout = std::chrono::seconds(30);

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size();
  for (std::size_t n = 0; n <= lines && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// One bash for the whole document, so variables carry over from block to block. It leads a
// process group of its own: what it starts in the background (an agent) is stopped with it.
class Shell {
 public:
  struct Result {
    bool exited = false;  // the shell ended: set -e saw the command fail
    bool timed_out = false;
    int rc = 0;
    std::string out, err;
  };

  Shell(const fs::path& ctl, const std::map<std::string, std::string>& env) : ctl_(ctl) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    in_ = fds[1];
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      std::string name = entry.substr(0, entry.find('='));
      if (name.rfind("STEWARD_", 0) == 0 || name == "BASH_ENV" || name == "ENV" || env.count(name)) continue;
      env_s.push_back(entry);
    }
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_s) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::string own_out = (ctl_ / "shell.out").string(), own_err = (ctl_ / "shell.err").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, own_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, own_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::string bash = "/bin/bash", noprofile = "--noprofile", norc = "--norc";
    char* argv[] = {bash.data(), noprofile.data(), norc.data(), nullptr};
    int rc = posix_spawn(&pid_, argv[0], &fa, &attr, argv, envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(fds[0]);
    if (rc != 0) throw std::runtime_error("cannot start bash");
  }

  ~Shell() { stop(); }
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  void send(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(in_, text.data() + done, text.size() - done);
      if (n <= 0) return;  // the shell is gone; run() reports how it ended
      done += static_cast<std::size_t>(n);
    }
  }

  // Runs one command in the shell itself (not a subshell), its stdin /dev/null and its
  // output in files; waits for it. With may_fail, a non-zero exit is a result, not the end.
  Result run(const std::string& code, bool may_fail) {
    int n = ++count_;
    auto out = ctl_ / ("out." + std::to_string(n)), err = ctl_ / ("err." + std::to_string(n)),
         rc = ctl_ / ("rc." + std::to_string(n));
    std::string script = may_fail ? "set +e\n" : "";
    script += "{ " + code + "\n} </dev/null >" + shell_quote(out) + " 2>" + shell_quote(err) + "\n";
    script += "echo $? >" + shell_quote(rc) + "\n";
    if (may_fail) script += "set -e\n";
    send(script);

    Result r;
    auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
    for (;;) {
      std::string status = read_text(rc);
      if (!status.empty() && status.back() == '\n') {
        r.rc = std::stoi(status);
        break;
      }
      int ws = 0;
      if (pid_ > 0 && ::waitpid(pid_, &ws, WNOHANG) == pid_) {
        pid_reaped_ = true;
        r.exited = true;
        r.rc = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        r.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    r.out = read_text(out);
    r.err = read_text(err);
    return r;
  }

  std::string own_messages() const { return read_text(ctl_ / "shell.err"); }

  // Ends the shell (EOF on its input) and then everything left in its process group: the
  // document's background jobs. Also on a failure, so an agent never outlives its test.
  void stop() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
    if (pid_ <= 0) return;
    const pid_t group = pid_;
    auto reap = [&] {
      int ws = 0;
      while (::waitpid(-group, &ws, WNOHANG) > 0) {
      }
    };
    auto gone_within = [&](std::chrono::milliseconds limit) {
      auto deadline = std::chrono::steady_clock::now() + limit;
      while (std::chrono::steady_clock::now() < deadline) {
        reap();
        if (::kill(-group, 0) != 0 && errno == ESRCH) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return false;
    };
    if (!pid_reaped_) {
      int ws = 0;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while (::waitpid(pid_, &ws, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(-group, SIGTERM);
    if (!gone_within(std::chrono::seconds(10))) {
      ::kill(-group, SIGKILL);
      gone_within(std::chrono::seconds(5));
    }
    pid_ = -1;
  }

 private:
  fs::path ctl_;
  pid_t pid_ = -1;
  bool pid_reaped_ = false;
  int in_ = -1;
  int count_ = 0;
};

std::string indent(const std::string& text) {
  std::string out = "    ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

// Runs the document's examples; the failure as text, or "" when every example did what it says.
std::string run_document(const fs::path& path, const std::string& name) {
  // A background job of the document outlives its bash when the bash exits: adopting
  // orphans lets the runner reap them instead of leaving zombies in its process group.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::signal(SIGPIPE, SIG_IGN);
  Document doc = parse(read_text(path));
  if (!doc.errors.empty()) {
    std::string msg = name + ": doc-test marks:\n";
    for (const auto& e : doc.errors) msg += "  " + name + ":" + e.substr(5) + "\n";
    return msg;
  }
  std::size_t examples = 0, commands = 0;
  for (const auto& b : doc.blocks) {
    if (!b.skip_reason.empty()) std::printf("%s:%d: skipped: %s\n", name.c_str(), b.line, b.skip_reason.c_str());
    if (b.runs) {
      ++examples;
      commands += b.commands.size();
    }
  }
  if (examples == 0) {
    std::printf("%s: no examples\n", name.c_str());
    return "";
  }

  TempDir scratch;
  for (const char* d : {"bin", "home", "work", "ctl"}) fs::create_directories(scratch.path() / d);
  fs::create_symlink(STEWARD_BINARY, scratch.path() / "bin" / "steward");

  Daemon daemon;
  IdHistory ids;
  ids.add(daemon.stdout_text());  // the first start prints the admin key: stw_…
  const std::map<std::string, std::string> env = {
      {"PATH", (scratch.path() / "bin").string() + ":" + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin")},
      {"HOME", (scratch.path() / "home").string()},
      {"KEY", daemon.admin_key()},
  };
  Shell shell(scratch.path() / "ctl", env);
  // A non-2xx answer fails the example, with the error body shown. curl refuses
  // --fail-with-body next to -f, so an example's own -f / --fail (also -fsS) is kept instead.
  shell.send("set -eo pipefail\n"
             "curl() {\n"
             "  local a\n"
             "  for a in \"$@\"; do\n"
             "    if [[ $a == --fail || $a == --fail-with-body || $a =~ ^-[A-Za-z]*f ]]; then command curl -sS \"$@\"; return; fi\n"
             "  done\n"
             "  command curl --fail-with-body -sS \"$@\"\n"
             "}\n"
             "cd " + shell_quote((scratch.path() / "work").string()) + "\n");
  const Rewrites rewrites{daemon.port(), daemon.device_port(), STEWARD_BINARY, daemon.data_dir()};

  // DOC_EXAMPLES_VERBOSE=1 prints every command as run, with its output: for writing docs.
  const bool verbose = std::getenv("DOC_EXAMPLES_VERBOSE") != nullptr;
  auto report = [&](const Block& b, const Command& c, const std::string& ran, const std::string& what,
                    const Shell::Result& r) {
    std::string msg = name + ": the example at line " + std::to_string(b.line) + " " + what + "\n  command (line " +
                      std::to_string(c.line) + "), as run:\n" + indent(ran) + "\n";
    if (!r.out.empty()) msg += "  its output:\n" + indent(tail(r.out, 40)) + "\n";
    if (!r.err.empty()) msg += "  its stderr:\n" + indent(tail(r.err, 40)) + "\n";
    std::string own = shell.own_messages();
    if (!own.empty()) msg += "  bash:\n" + indent(tail(own, 10)) + "\n";
    msg += "  daemon log (last lines):\n" + indent(tail(daemon.stderr_text(), 30)) + "\n";
    return msg;
  };

  for (const auto& b : doc.blocks) {
    if (!b.runs) continue;
    bool some_failed = false;
    for (const auto& c : b.commands) {
      Filled f = fill_placeholders(c.text, ids);
      if (!f.missing.empty())
        return name + ":" + std::to_string(c.line) + ": the placeholder " + f.missing +
               " has no id of that prefix in the document's earlier output (example at line " +
               std::to_string(b.line) + ")\n";
      std::string ran = rewrite(f.text, rewrites);
      Shell::Result r = shell.run(ran, b.expect_fail);
      ids.add(r.out);
      if (verbose)
        std::printf("%s:%d: $ %s\n%s%s(exit %d)\n", name.c_str(), c.line, ran.c_str(), r.out.c_str(), r.err.c_str(), r.rc);
      if (r.timed_out) return report(b, c, ran, "did not finish within 30 s", r);
      if (r.exited)
        return report(b, c, ran, "failed: exit code " + std::to_string(r.rc) + (b.expect_fail ? " (the shell exited)" : ""), r);
      if (r.rc != 0) some_failed = true;
    }
    if (b.expect_fail && !some_failed) {
      std::string all;
      for (const auto& c : b.commands) all += (all.empty() ? "" : "\n") + c.text;
      return report(b, Command{b.line + 1, all}, all, "is marked expect-fail, but every command in it succeeded",
                    Shell::Result{});
    }
  }
  shell.stop();
  std::printf("%s: %zu examples, %zu commands ran\n", name.c_str(), examples, commands);
  return "";
}

std::vector<fs::path> all_documents() {
  std::vector<fs::path> docs = {fs::path(STEWARD_SOURCE_DIR) / "README.md"};
  std::vector<fs::path> pages;
  for (const auto& e : fs::directory_iterator(fs::path(STEWARD_SOURCE_DIR) / "docs"))
    if (e.path().extension() == ".md") pages.push_back(e.path());
  std::sort(pages.begin(), pages.end());
  docs.insert(docs.end(), pages.begin(), pages.end());
  return docs;
}

void run_documents() {
  std::string which = std::getenv("DOC_EXAMPLES_FILE");
  std::vector<fs::path> docs = which == "all" ? all_documents() : std::vector<fs::path>{which};
  for (const auto& path : docs) {
    std::string name = fs::relative(path, STEWARD_SOURCE_DIR).string();
    INFO(name);
    REQUIRE(fs::exists(path));
    std::string failure = run_document(path, name);
    if (!failure.empty()) FAIL_CHECK(failure);
  }
}

// Registered only when DOC_EXAMPLES_FILE names a document (or is `all`): the docs:* ctest
// entries set it. catch_discover_tests lists even hidden tests under its TEST_SPEC, and must
// not add one more entry that runs every document again.
[[maybe_unused]] const bool registered = [] {
  if (!std::getenv("DOC_EXAMPLES_FILE")) return false;
  static Catch::AutoReg reg(Catch::makeTestInvoker(&run_documents), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                            Catch::NameAndTags{"docs: every curl example of a document runs against a real daemon",
                                               "[runtime][doc-examples]"});
  return true;
}();

}  // namespace

// The runner itself, on small documents written here (these run in every test run).
namespace {

std::string run_fixture(const TempDir& dir, const std::string& markdown) {
  auto path = dir.path() / "fixture.md";
  std::ofstream(path) << markdown;
  return run_document(path, "fixture.md");
}

}  // namespace

TEST_CASE("docs runner: variables, ids and the key carry over from block to block", "[runtime][docs]") {
  TempDir dir;
  std::string failure = run_fixture(dir,
                                    "```sh\n"
                                    "curl -X POST localhost:18780/api/automations -H \"Authorization: Bearer $KEY\" \\\n"
                                    "  -H 'Content-Type: application/json' -d '{\"name\":\"Hi\",\"type\":\"script\",\n"
                                    "  \"params\":{\"command\":\"echo hi\"}}'\n"
                                    "RUN=$(curl -X POST 'localhost:18780/api/automations/auto_…/run?wait=1' -H \"Authorization: Bearer $KEY\" | jq -r .run_id)\n"
                                    "```\n"
                                    "Text between.\n"
                                    "```sh\n"
                                    "curl localhost:18780/api/automations/runs/$RUN -H \"Authorization: Bearer $KEY\" | jq -e '.output == \"hi\\n\"'\n"
                                    "KEY=stw_…\n"
                                    "curl localhost:18780/api/automations/auto_…/runs -H \"Authorization: Bearer $KEY\"\n"
                                    "```\n"
                                    "<!-- doc-test: expect-fail -->\n"
                                    "```sh\n"
                                    "curl localhost:18780/api/automations\n"
                                    "```\n");
  CHECK(failure.empty());
  INFO(failure);
}

TEST_CASE("docs runner: a failing example is reported with its document, line, output and the daemon log", "[runtime][docs]") {
  TempDir dir;
  std::string failure = run_fixture(dir,
                                    "# Title\n"
                                    "\n"
                                    "```sh\n"
                                    "echo before\n"
                                    "curl localhost:18780/api/automations/auto_aaaabbbbccccdddd -H \"Authorization: Bearer $KEY\"\n"
                                    "echo never\n"
                                    "```\n");
  CHECK_THAT(failure, Catch::Contains("fixture.md: the example at line 3 failed: exit code 22"));
  CHECK_THAT(failure, Catch::Contains("command (line 5)"));
  CHECK_THAT(failure, Catch::Contains("\"code\":\"not_found\""));  // the error body
  CHECK_THAT(failure, Catch::Contains("daemon log"));
  CHECK_THAT(failure, Catch::Contains("INFO ["));  // a line of the daemon's own log
}

TEST_CASE("docs runner: background jobs of a document are stopped when it ends, also after a failure", "[runtime][docs]") {
  TempDir dir;
  auto pid_file = dir.path() / "pid";
  std::string failure = run_fixture(dir,
                                    "<!-- doc-test: run -->\n"
                                    "```sh\n"
                                    "sleep 300 &\n"
                                    "echo $! > " + pid_file.string() + "\n"
                                    "```\n"
                                    "```sh\n"
                                    "curl localhost:18780/api/nothing-here -H \"Authorization: Bearer $KEY\"\n"
                                    "```\n");
  CHECK_THAT(failure, Catch::Contains("the example at line 6 failed"));
  std::ifstream in(pid_file);
  pid_t pid = 0;
  REQUIRE(in >> pid);
  REQUIRE(pid > 0);
  CHECK(::kill(pid, 0) == -1);  // gone, and reaped
}

TEST_CASE("docs runner: an expect-fail example that succeeds and a placeholder without an id fail the document", "[runtime][docs]") {
  TempDir dir;
  std::string ok_but_marked = run_fixture(dir,
                                          "<!-- doc-test: expect-fail -->\n"
                                          "```sh\n"
                                          "curl localhost:18780/health\n"
                                          "```\n");
  CHECK_THAT(ok_but_marked, Catch::Contains("fixture.md: the example at line 2 is marked expect-fail, but every command in it succeeded"));

  std::string no_id = run_fixture(dir,
                                  "```sh\n"
                                  "curl localhost:18780/health\n"
                                  "curl -X POST localhost:18780/api/maintenance/mw_…/activate -H \"Authorization: Bearer $KEY\"\n"
                                  "```\n");
  CHECK_THAT(no_id, Catch::Contains("fixture.md:3: the placeholder mw_… has no id of that prefix"));

  std::string bad_mark = run_fixture(dir,
                                     "<!-- doc-test: skipp: typo -->\n"
                                     "```sh\n"
                                     "curl localhost:18780/health\n"
                                     "```\n");
  CHECK_THAT(bad_mark, Catch::Contains("fixture.md:1: unknown doc-test mark 'skipp: typo'"));
}

TEST_CASE("docs runner: curl fails on a non-2xx answer, also with the example's own -f flags", "[runtime][docs]") {
  TempDir dir;
  CHECK(run_fixture(dir,
                    "```sh\n"
                    "curl -fsS localhost:18780/health\n"
                    "curl -sSf --fail localhost:18780/health\n"
                    "```\n"
                    "<!-- doc-test: expect-fail -->\n"
                    "```sh\n"
                    "curl -fsS localhost:18780/api/automations\n"
                    "```\n")
            .empty());
  std::string failure = run_fixture(dir,
                                    "```sh\n"
                                    "curl localhost:18780/api/automations\n"
                                    "```\n");
  CHECK_THAT(failure, Catch::Contains("exit code 22"));
  CHECK_THAT(failure, Catch::Contains("\"code\":\"unauthorized\""));
}
