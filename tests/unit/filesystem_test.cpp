// The `filesystem` tool and the `file` automation type, against real files in a TempDir:
// every operation, atomic writes, confinement to allowed_roots ('..', absolute paths,
// symlinks escaping as the last or a middle component), size caps, config refusal, and
// the type's plan.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"
#include "tests/support/tool_call.hpp"

using namespace steward::test;
using Catch::Matchers::Contains;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void put(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

std::string get(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A root with a sibling "outside" directory holding a secret, and symlinks inside the
// root that lead out: an absolute one to a file, an absolute one to a directory and a
// relative one through '..'; plus a relative link that stays inside.
struct Sandbox {
  TempDir tmp;
  fs::path root = tmp.path() / "root";
  fs::path outside = tmp.path() / "outside";
  std::unique_ptr<steward::PluginRegistry> reg;

  explicit Sandbox(json extra = json::object()) {
    fs::create_directories(root / "sub");
    fs::create_directories(outside / "dir");
    put(outside / "secret.txt", "secret");
    put(outside / "dir" / "inner.txt", "inner");
    put(root / "hello.txt", "hello world");
    fs::create_symlink(outside / "secret.txt", root / "link_file");
    fs::create_symlink(outside, root / "link_dir");
    fs::create_symlink("../outside/secret.txt", root / "rel_link");
    fs::create_symlink("hello.txt", root / "inner_link");
    json cfg = {{"allowed_roots", {root.string()}}};
    cfg.update(extra);
    reg = in_tree_plugins({{"filesystem", cfg}});
  }
  ToolCallResult call(json args) const { return call_tool(*reg, "filesystem", args); }
  bool outside_untouched() const {
    return get(outside / "secret.txt") == "secret" && get(outside / "dir" / "inner.txt") == "inner" &&
           names_in(outside) == std::vector<std::string>{"dir", "secret.txt"} &&
           names_in(outside / "dir") == std::vector<std::string>{"inner.txt"};
  }
};

}  // namespace

TEST_CASE("filesystem: write creates a file and read returns it whole or in parts", "[unit][filesystem]") {
  Sandbox s;
  auto w = s.call({{"operation", "write"}, {"path", (s.root / "a.txt").string()}, {"content", "0123456789"}});
  INFO(w.error);
  REQUIRE(w.ok());
  CHECK(get(s.root / "a.txt") == "0123456789");
  CHECK(w.result_json()["created"] == true);
  CHECK(w.result_json()["size"] == 10);
  CHECK(w.out == "wrote 10 bytes to " + (s.root / "a.txt").string() + "\n");
  CHECK(mode_of(s.root / "a.txt") == 0644);

  auto r = s.call({{"operation", "read"}, {"path", (s.root / "a.txt").string()}});
  REQUIRE(r.ok());
  json res = r.result_json();
  CHECK(res["path"] == (s.root / "a.txt").string());
  CHECK(res["content"] == "0123456789");
  CHECK(res["encoding"] == "text");
  CHECK(res["size"] == 10);
  CHECK(res["offset"] == 0);
  CHECK(res["length"] == 10);
  CHECK(res["eof"] == true);

  auto part = s.call({{"operation", "read"}, {"path", "a.txt"}, {"offset", 2}, {"length", 3}});
  REQUIRE(part.ok());
  CHECK(part.result_json()["content"] == "234");
  CHECK(part.result_json()["length"] == 3);
  CHECK(part.result_json()["eof"] == false);

  auto tail = s.call({{"operation", "read"}, {"path", "a.txt"}, {"offset", 8}, {"length", 100}});
  REQUIRE(tail.ok());
  CHECK(tail.result_json()["content"] == "89");
  CHECK(tail.result_json()["eof"] == true);
}

TEST_CASE("filesystem: relative paths are relative to the first root and a second root is reachable absolutely",
          "[unit][filesystem]") {
  TempDir tmp;
  fs::create_directories(tmp.path() / "one");
  fs::create_directories(tmp.path() / "two");
  put(tmp.path() / "two" / "t.txt", "two");
  auto reg = in_tree_plugins(
      {{"filesystem", {{"allowed_roots", {(tmp.path() / "one").string(), (tmp.path() / "two").string()}}}}});
  auto w = call_tool(*reg, "filesystem", {{"operation", "write"}, {"path", "x/y.txt"}, {"content", "1"}, {"create_parents", true}});
  INFO(w.error);
  REQUIRE(w.ok());
  CHECK(get(tmp.path() / "one" / "x" / "y.txt") == "1");
  CHECK(w.result_json()["path"] == (tmp.path() / "one" / "x" / "y.txt").string());
  auto r = call_tool(*reg, "filesystem", {{"operation", "read"}, {"path", (tmp.path() / "two" / "t.txt").string()}});
  REQUIRE(r.ok());
  CHECK(r.result_json()["content"] == "two");
}

TEST_CASE("filesystem: binary content goes in and out as base64", "[unit][filesystem]") {
  Sandbox s;
  const std::string bytes("\xff\x00\x01\xfe", 4);
  auto w = s.call({{"operation", "write"}, {"path", "bin"}, {"content_base64", "/wAB/g=="}});
  INFO(w.error);
  REQUIRE(w.ok());
  CHECK(get(s.root / "bin") == bytes);
  auto r = s.call({{"operation", "read"}, {"path", "bin"}});
  REQUIRE(r.ok());
  CHECK(r.result_json()["encoding"] == "base64");
  CHECK(r.result_json()["content_base64"] == "/wAB/g==");
  CHECK_FALSE(r.result_json().contains("content"));
  auto text = s.call({{"operation", "read"}, {"path", "bin"}, {"encoding", "text"}});
  CHECK_FALSE(text.ok());
  CHECK_THAT(text.error, Contains("not valid UTF-8"));
  auto forced = s.call({{"operation", "read"}, {"path", "hello.txt"}, {"encoding", "base64"}});
  REQUIRE(forced.ok());
  CHECK(forced.result_json()["content_base64"] == "aGVsbG8gd29ybGQ=");
  auto bad = s.call({{"operation", "write"}, {"path", "bin"}, {"content_base64", "not base64!"}});
  CHECK_FALSE(bad.ok());
  CHECK_THAT(bad.error, Contains("content_base64"));
}

TEST_CASE("filesystem: write replaces the target atomically, applies mode and leaves no temp file",
          "[unit][filesystem]") {
  Sandbox s;
  const fs::path target = s.root / "sub" / "config";
  put(target, "old content");
  fs::permissions(target, fs::perms(0600));
  // A reader holding the old file keeps seeing the old content whole: the new file was
  // renamed over the name, not written into the old inode.
  std::ifstream reader(target);
  struct stat before {};
  REQUIRE(::stat(target.c_str(), &before) == 0);

  auto keep = s.call({{"operation", "write"}, {"path", target.string()}, {"content", "new"}});
  INFO(keep.error);
  REQUIRE(keep.ok());
  CHECK(mode_of(target) == 0600);  // an existing file keeps its mode when none is given
  CHECK(keep.result_json()["created"] == false);

  auto w = s.call({{"operation", "write"}, {"path", target.string()}, {"content", "brand new content"}, {"mode", "0666"}});
  INFO(w.error);
  REQUIRE(w.ok());
  CHECK(get(target) == "brand new content");
  CHECK(mode_of(target) == 0666);  // exactly the mode asked for: the umask does not apply
  CHECK(w.result_json()["mode"] == "0666");
  struct stat after {};
  REQUIRE(::stat(target.c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino);
  std::stringstream old;
  old << reader.rdbuf();
  CHECK(old.str() == "old content");
  CHECK(names_in(s.root / "sub") == std::vector<std::string>{"config"});

  // overwrite: false refuses an existing file, leaves it alone and leaves no temp file.
  auto no = s.call({{"operation", "write"}, {"path", target.string()}, {"content", "x"}, {"overwrite", false}});
  CHECK_FALSE(no.ok());
  CHECK_THAT(no.error, Contains(target.string()) && Contains("already exists"));
  CHECK(get(target) == "brand new content");
  CHECK(names_in(s.root / "sub") == std::vector<std::string>{"config"});

  auto onto_dir = s.call({{"operation", "write"}, {"path", "sub"}, {"content", "x"}});
  CHECK_FALSE(onto_dir.ok());
  CHECK_THAT(onto_dir.error, Contains("is a directory"));
  auto no_parent = s.call({{"operation", "write"}, {"path", "missing/f"}, {"content", "x"}});
  CHECK_FALSE(no_parent.ok());
  CHECK_THAT(no_parent.error, Contains("create_parents"));
  CHECK(names_in(s.root) == std::vector<std::string>{"hello.txt", "inner_link", "link_dir", "link_file", "rel_link", "sub"});
}

TEST_CASE("filesystem: append adds to a file and creates it when missing", "[unit][filesystem]") {
  Sandbox s;
  auto a = s.call({{"operation", "append"}, {"path", "hello.txt"}, {"content", "!\n"}});
  INFO(a.error);
  REQUIRE(a.ok());
  CHECK(get(s.root / "hello.txt") == "hello world!\n");
  CHECK(a.result_json()["appended"] == 2);
  CHECK(a.result_json()["size"] == 13);
  auto created = s.call({{"operation", "append"}, {"path", "logs/new.log"}, {"content", "x"}, {"create_parents", true}, {"mode", "0600"}});
  INFO(created.error);
  REQUIRE(created.ok());
  CHECK(get(s.root / "logs" / "new.log") == "x");
  CHECK(mode_of(s.root / "logs" / "new.log") == 0600);
}

TEST_CASE("filesystem: list reports names, types, sizes and mtimes and honours max_depth", "[unit][filesystem]") {
  Sandbox s;
  fs::create_directories(s.root / "sub" / "deep");
  put(s.root / "sub" / "f.txt", "12345");
  put(s.root / "sub" / "deep" / "d.txt", "1");
  auto flat = s.call({{"operation", "list"}, {"path", "sub"}});
  INFO(flat.error);
  REQUIRE(flat.ok());
  json entries = flat.result_json()["entries"];
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["name"] == "deep");
  CHECK(entries[0]["type"] == "directory");
  CHECK(entries[1]["name"] == "f.txt");
  CHECK(entries[1]["path"] == (s.root / "sub" / "f.txt").string());
  CHECK(entries[1]["type"] == "file");
  CHECK(entries[1]["size"] == 5);
  CHECK(entries[1]["mtime"].get<long>() > 1600000000);
  CHECK(flat.result_json()["truncated"] == false);

  auto deep = s.call({{"operation", "list"}, {"path", "sub"}, {"recursive", true}});
  REQUIRE(deep.ok());
  CHECK(deep.result_json()["entries"].size() == 3);
  auto limited = s.call({{"operation", "list"}, {"path", s.root.string()}, {"recursive", true}, {"max_depth", 2}});
  REQUIRE(limited.ok());
  const json listed = limited.result_json();  // a named copy: a temporary's member would dangle in the loops
  std::vector<std::string> paths;
  for (const auto& e : listed["entries"]) paths.push_back(e["path"]);
  CHECK(std::find(paths.begin(), paths.end(), (s.root / "sub" / "f.txt").string()) != paths.end());
  CHECK(std::find(paths.begin(), paths.end(), (s.root / "sub" / "deep" / "d.txt").string()) == paths.end());
  // Symlinks are listed as symlinks, never followed, even recursively.
  for (const auto& e : listed["entries"])
    if (e["name"] == "link_dir") {
      CHECK(e["type"] == "symlink");
      CHECK(e["target"] == s.outside.string());
    }
  CHECK(std::find(paths.begin(), paths.end(), (s.root / "link_dir" / "secret.txt").string()) == paths.end());
}

TEST_CASE("filesystem: stat describes a path and says when it does not exist", "[unit][filesystem]") {
  Sandbox s;
  auto st = s.call({{"operation", "stat"}, {"path", "hello.txt"}});
  INFO(st.error);
  REQUIRE(st.ok());
  CHECK(st.result_json()["exists"] == true);
  CHECK(st.result_json()["type"] == "file");
  CHECK(st.result_json()["size"] == 11);
  auto dir = s.call({{"operation", "stat"}, {"path", s.root.string()}});
  REQUIRE(dir.ok());
  CHECK(dir.result_json()["type"] == "directory");
  auto none = s.call({{"operation", "stat"}, {"path", "nope"}});
  REQUIRE(none.ok());
  CHECK(none.result_json()["exists"] == false);
  // A symlink that stays inside the root is followed.
  auto inner = s.call({{"operation", "read"}, {"path", "inner_link"}});
  REQUIRE(inner.ok());
  CHECK(inner.result_json()["content"] == "hello world");
}

TEST_CASE("filesystem: mkdir creates directories with parents and an exact mode", "[unit][filesystem]") {
  Sandbox s;
  auto one = s.call({{"operation", "mkdir"}, {"path", "newdir"}, {"mode", "0750"}});
  INFO(one.error);
  REQUIRE(one.ok());
  CHECK(fs::is_directory(s.root / "newdir"));
  CHECK(mode_of(s.root / "newdir") == 0750);
  auto again = s.call({{"operation", "mkdir"}, {"path", "newdir"}});
  CHECK_FALSE(again.ok());
  CHECK_THAT(again.error, Contains("already exists"));
  auto nested = s.call({{"operation", "mkdir"}, {"path", "a/b/c"}, {"create_parents", true}});
  REQUIRE(nested.ok());
  CHECK(fs::is_directory(s.root / "a" / "b" / "c"));
  auto idempotent = s.call({{"operation", "mkdir"}, {"path", "a/b/c"}, {"create_parents", true}});
  REQUIRE(idempotent.ok());
  CHECK(idempotent.result_json()["created"] == false);
  auto no_parents = s.call({{"operation", "mkdir"}, {"path", "x/y"}});
  CHECK_FALSE(no_parents.ok());
  CHECK_THAT(no_parents.error, Contains("create_parents"));
}

TEST_CASE("filesystem: move renames and only replaces a destination when asked", "[unit][filesystem]") {
  Sandbox s;
  put(s.root / "a.txt", "A");
  put(s.root / "b.txt", "B");
  auto mv = s.call({{"operation", "move"}, {"path", "a.txt"}, {"destination", "sub/moved.txt"}});
  INFO(mv.error);
  REQUIRE(mv.ok());
  CHECK_FALSE(fs::exists(s.root / "a.txt"));
  CHECK(get(s.root / "sub" / "moved.txt") == "A");
  CHECK(mv.result_json()["destination"] == (s.root / "sub" / "moved.txt").string());
  auto clash = s.call({{"operation", "move"}, {"path", "b.txt"}, {"destination", "sub/moved.txt"}});
  CHECK_FALSE(clash.ok());
  CHECK_THAT(clash.error, Contains("already exists") && Contains("overwrite"));
  CHECK(get(s.root / "b.txt") == "B");
  auto replace = s.call({{"operation", "move"}, {"path", "b.txt"}, {"destination", "sub/moved.txt"}, {"overwrite", true}});
  REQUIRE(replace.ok());
  CHECK(get(s.root / "sub" / "moved.txt") == "B");
  auto parents = s.call({{"operation", "move"}, {"path", "sub"}, {"destination", "x/y/sub2"}, {"create_parents", true}});
  REQUIRE(parents.ok());
  CHECK(get(s.root / "x" / "y" / "sub2" / "moved.txt") == "B");
  auto missing = s.call({{"operation", "move"}, {"path", "nope"}, {"destination", "n2"}});
  CHECK_FALSE(missing.ok());
  CHECK_THAT(missing.error, Contains((s.root / "nope").string()) && Contains("does not exist"));
}

TEST_CASE("filesystem: delete removes files and directories, and non-empty ones only when recursive",
          "[unit][filesystem]") {
  Sandbox s;
  auto file = s.call({{"operation", "delete"}, {"path", "hello.txt"}});
  INFO(file.error);
  REQUIRE(file.ok());
  CHECK_FALSE(fs::exists(s.root / "hello.txt"));
  fs::create_directories(s.root / "tree" / "a" / "b");
  put(s.root / "tree" / "a" / "b" / "f", "f");
  put(s.root / "tree" / "g", "g");
  fs::create_symlink(s.outside, s.root / "tree" / "a" / "out");  // removed as a link, never followed

  auto refused = s.call({{"operation", "delete"}, {"path", "tree"}});
  CHECK_FALSE(refused.ok());
  CHECK_THAT(refused.error, Contains((s.root / "tree").string()) && Contains("not empty") && Contains("recursive"));
  CHECK(fs::exists(s.root / "tree" / "a" / "b" / "f"));

  auto all = s.call({{"operation", "delete"}, {"path", "tree"}, {"recursive", true}});
  INFO(all.error);
  REQUIRE(all.ok());
  CHECK_FALSE(fs::exists(s.root / "tree"));
  CHECK(all.result_json()["deleted"] == 6);
  CHECK(s.outside_untouched());

  fs::create_directories(s.root / "empty");
  CHECK(s.call({{"operation", "delete"}, {"path", "empty"}}).ok());
  CHECK_FALSE(fs::exists(s.root / "empty"));
  auto root = s.call({{"operation", "delete"}, {"path", s.root.string()}, {"recursive", true}});
  CHECK_FALSE(root.ok());
  CHECK_THAT(root.error, Contains("allowed root"));
  CHECK(fs::exists(s.root));
}

TEST_CASE("filesystem: checksum gives the SHA-256 of known vectors", "[unit][filesystem]") {
  Sandbox s;
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      // Padding edges: 55 bytes leave room for the length in one block, 56 and 64 need another.
      {std::string(55, 'x'), "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {std::string(56, 'x'), "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {std::string(64, 'x'), "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
  };
  for (const auto& [data, digest] : vectors) {
    put(s.root / "v", data);
    auto r = s.call({{"operation", "checksum"}, {"path", "v"}});
    INFO("length " << data.size() << " " << r.error);
    REQUIRE(r.ok());
    CHECK(r.result_json()["sha256"] == digest);
    CHECK(r.result_json()["size"] == data.size());
  }
}

TEST_CASE("filesystem: '..', absolute paths outside and escaping symlinks are refused for every operation",
          "[unit][filesystem]") {
  Sandbox s;
  const std::string root = s.root.string(), out = s.outside.string();
  // Each way out, as a path to use where a path is expected.
  const std::vector<std::string> escapes = {
      "../outside/secret.txt",                  // '..' relative
      root + "/../outside/secret.txt",          // '..' absolute
      out + "/secret.txt",                      // absolute, outside every root
      "link_file",                              // symlink as the last component (absolute target)
      "rel_link",                               // symlink as the last component ('..' target)
      "link_dir/secret.txt",                    // symlink as a directory component
      root + "/link_dir/dir/inner.txt",         // the same, absolute and deeper
  };
  for (const std::string& p : escapes) {
    INFO("path " << p);
    std::vector<json> calls = {
        {{"operation", "read"}, {"path", p}},
        {{"operation", "write"}, {"path", p}, {"content", "pwned"}},
        {{"operation", "write"}, {"path", p}, {"content", "pwned"}, {"overwrite", true}, {"create_parents", true}},
        {{"operation", "append"}, {"path", p}, {"content", "pwned"}},
        {{"operation", "checksum"}, {"path", p}},
        {{"operation", "delete"}, {"path", p}, {"recursive", true}},
        {{"operation", "move"}, {"path", p}, {"destination", "stolen"}},
        {{"operation", "move"}, {"path", "hello.txt"}, {"destination", p}, {"overwrite", true}},
        {{"operation", "stat"}, {"path", p}},
    };
    for (const json& args : calls) {
      auto r = s.call(args);
      INFO(args.dump() << " -> " << r.error);
      CHECK_FALSE(r.ok());
      CHECK_THAT(r.error, Contains(args["operation"].get<std::string>()));
      // The message names the path that was refused (as given, or as resolved under the root).
      const std::string shown = p[0] == '/' ? p : (s.root / p).string();
      CHECK((r.error.find(p) != std::string::npos || r.error.find(shown) != std::string::npos));
      CHECK_THAT(r.error, Contains("refused") || Contains("not allowed"));
    }
  }
  // Directories: list and mkdir through a link, or outside.
  for (const std::string& p : {std::string("link_dir"), std::string("link_dir/dir"), std::string("../outside"), out}) {
    INFO("path " << p);
    for (json args : {json{{"operation", "list"}, {"path", p}, {"recursive", true}},
                      json{{"operation", "mkdir"}, {"path", p + "/new"}, {"create_parents", true}},
                      json{{"operation", "delete"}, {"path", p + "/dir"}, {"recursive", true}}}) {
      auto r = s.call(args);
      INFO(args.dump() << " -> " << r.error);
      CHECK_FALSE(r.ok());
    }
  }
  CHECK(s.outside_untouched());
  // The links themselves are still there (delete and move refused them), and nothing new
  // appeared in the root.
  CHECK(fs::is_symlink(s.root / "link_file"));
  CHECK(fs::is_symlink(s.root / "link_dir"));
  CHECK(fs::is_symlink(s.root / "rel_link"));
  CHECK(get(s.root / "hello.txt") == "hello world");
  CHECK(names_in(s.root) == std::vector<std::string>{"hello.txt", "inner_link", "link_dir", "link_file", "rel_link", "sub"});
}

TEST_CASE("filesystem: a directory swapped for an escaping symlink after a previous call is still refused",
          "[unit][filesystem]") {
  // Not a timing race, but the same state a racer would produce between check and use:
  // "sub" was a real directory in one call and is a symlink out in the next.
  Sandbox s;
  REQUIRE(s.call({{"operation", "write"}, {"path", "sub/f"}, {"content", "1"}}).ok());
  fs::remove_all(s.root / "sub");
  fs::create_symlink(s.outside, s.root / "sub");
  auto r = s.call({{"operation", "write"}, {"path", "sub/f"}, {"content", "2"}});
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.error, Contains("outside the allowed root"));
  CHECK(s.outside_untouched());
}

TEST_CASE("filesystem: size caps refuse oversized reads and writes with a clear message", "[unit][filesystem]") {
  Sandbox s({{"max_read_bytes", 10}, {"max_write_bytes", 10}});
  put(s.root / "big", std::string(11, 'b'));
  auto whole = s.call({{"operation", "read"}, {"path", "big"}});
  CHECK_FALSE(whole.ok());
  CHECK_THAT(whole.error, Contains((s.root / "big").string()) && Contains("max_read_bytes (10)") && Contains("offset"));
  auto too_long = s.call({{"operation", "read"}, {"path", "big"}, {"length", 11}});
  CHECK_FALSE(too_long.ok());
  CHECK_THAT(too_long.error, Contains("max_read_bytes (10)"));
  auto part = s.call({{"operation", "read"}, {"path", "big"}, {"offset", 1}});
  REQUIRE(part.ok());  // the remaining 10 bytes fit
  CHECK(part.result_json()["length"] == 10);

  auto write = s.call({{"operation", "write"}, {"path", "w"}, {"content", std::string(11, 'w')}});
  CHECK_FALSE(write.ok());
  CHECK_THAT(write.error, Contains((s.root / "w").string()) && Contains("max_write_bytes (10)"));
  CHECK_FALSE(fs::exists(s.root / "w"));
  auto append = s.call({{"operation", "append"}, {"path", "big"}, {"content", std::string(11, 'w')}});
  CHECK_FALSE(append.ok());
  CHECK_THAT(append.error, Contains("max_write_bytes"));
  CHECK(get(s.root / "big") == std::string(11, 'b'));
  CHECK(s.call({{"operation", "write"}, {"path", "w"}, {"content", std::string(10, 'w')}}).ok());
}

TEST_CASE("filesystem: without allowed_roots every operation is refused, saying how to configure it",
          "[unit][filesystem]") {
  TempDir tmp;
  put(tmp.path() / "f", "x");
  auto reg = in_tree_plugins();
  for (const char* op : {"read", "list", "stat", "checksum", "delete"}) {
    auto r = call_tool(*reg, "filesystem", {{"operation", op}, {"path", (tmp.path() / "f").string()}});
    INFO(op << " -> " << r.error);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.error, Contains("no allowed_roots") && Contains("plugin_config") && Contains("\"filesystem\""));
  }
  CHECK(fs::exists(tmp.path() / "f"));
}

TEST_CASE("filesystem: a bad config refuses the plugin at load with the reason", "[unit][filesystem]") {
  TempDir tmp;
  put(tmp.path() / "file", "x");
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"allowed_roots", "/tmp"}}, "allowed_roots: must be an array"},
      {{{"allowed_roots", {"relative/dir"}}}, "is not an absolute path"},
      {{{"allowed_roots", {(tmp.path() / "missing").string()}}}, "cannot be opened as a directory"},
      {{{"allowed_roots", {(tmp.path() / "file").string()}}}, "cannot be opened as a directory"},
      {{{"allowed_roots", {tmp.str() + "/../x"}}}, "must not contain '..'"},
      {{{"allowed_roots", {42}}}, "allowed_roots[0]: must be a string"},
      {{{"max_read_bytes", 0}}, "max_read_bytes: must be an integer"},
      {{{"max_write_bytes", "big"}}, "max_write_bytes: must be an integer"},
      {{{"allowed_root", {tmp.str()}}}, "unknown field 'allowed_root'"},
  };
  for (const auto& [cfg, why] : cases) {
    INFO(cfg.dump());
    auto reg = in_tree_plugins({{"filesystem", cfg}});
    CHECK(reg->tool("filesystem") == nullptr);
    bool seen = false;
    for (const auto& info : reg->plugins())
      if (info.name == "filesystem") {
        seen = true;
        CHECK(info.status == "refused");
        CHECK_THAT(info.error, Contains(why));
      }
    CHECK(seen);
  }
}

TEST_CASE("filesystem: args that do not fit the operation are refused", "[unit][filesystem]") {
  Sandbox s;
  auto both = s.call({{"operation", "write"}, {"path", "f"}, {"content", "a"}, {"content_base64", "YQ=="}});
  CHECK_FALSE(both.ok());
  CHECK_THAT(both.error, Contains("exactly one"));
  auto stray = s.call({{"operation", "read"}, {"path", "hello.txt"}, {"destination", "x"}});
  CHECK_FALSE(stray.ok());
  CHECK_THAT(stray.error, Contains("destination: is not used by the read operation"));
  auto mode = s.call({{"operation", "mkdir"}, {"path", "d"}, {"mode", "4755"}});
  CHECK_FALSE(mode.ok());
  CHECK_THAT(mode.error, Contains("mode:"));
  auto unknown = s.call({{"operation", "chmod"}, {"path", "f"}});
  CHECK_FALSE(unknown.ok());
  CHECK_THAT(unknown.error, Contains("operation"));
}

TEST_CASE("file type: plans exactly one filesystem step and refuses bad params", "[unit][filesystem]") {
  auto reg = in_tree_plugins();
  const steward::Plugin* type = reg->automation_type("file");
  REQUIRE(type != nullptr);
  json params = {{"operation", "write"}, {"path", "/srv/x"}, {"content", "hi"}, {"mode", "0640"}};
  REQUIRE_FALSE(steward::validate_json(type->schema(), params, "params"));
  steward::PlanCall call;
  REQUIRE(type->plan(call, params.dump()) == STEWARD_OK);
  json steps = json::parse(call.result);
  REQUIRE(steps.size() == 1);
  CHECK(steps[0]["tool"] == "filesystem");
  CHECK(steps[0]["args"] == params);
  CHECK(steps[0]["name"] == "write /srv/x");
  // The planned args are valid for the tool.
  CHECK_FALSE(steward::validate_json(reg->tool("filesystem")->schema(), steps[0]["args"], "args"));

  const std::vector<std::pair<json, std::string>> bad = {
      {{{"operation", "move"}, {"path", "a"}}, "destination: is required"},
      {{{"operation", "write"}, {"path", "a"}}, "exactly one of content and content_base64"},
      {{{"operation", "write"}, {"path", "a"}, {"content", "x"}, {"mode", "999"}}, "mode:"},
      {{{"operation", "read"}, {"path", "a"}, {"content", "x"}}, "content: is not used by the read operation"},
      {{{"operation", "append"}, {"path", "a"}, {"content_base64", "%%%"}}, "content_base64"},
  };
  for (const auto& [p, why] : bad) {
    INFO(p.dump());
    REQUIRE_FALSE(steward::validate_json(type->schema(), p, "params"));  // only our own checks catch these
    steward::PlanCall c;
    CHECK(type->plan(c, p.dump()) == STEWARD_ERROR);
    CHECK_THAT(c.error, Contains(why));
  }
  // The schema itself refuses what it can express.
  CHECK(steward::validate_json(type->schema(), {{"operation", "chmod"}, {"path", "a"}}, "params"));
  CHECK(steward::validate_json(type->schema(), {{"operation", "read"}}, "params"));
  CHECK(steward::validate_json(type->schema(), {{"operation", "read"}, {"path", "a"}, {"bogus", 1}}, "params"));
}
