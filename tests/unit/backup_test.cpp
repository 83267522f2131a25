// The backup tool and automation type with real archives on disk: create -> restore
// round trips, verify against corruption, restore refusing escaping entries, include /
// exclude, retention that touches only its own archives, cancellation and failures that
// leave nothing behind.
#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include "tests/support/tool_call.hpp"

using namespace steward;
using namespace steward::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& content, mode_t mode = 0644) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A tree with what a backup must preserve: contents, modes, symlinks, empty directories.
void make_tree(const fs::path& root) {
  write(root / "abc.txt", "abc");
  write(root / "empty.txt", "", 0600);
  write(root / "bin/run.sh", "#!/bin/sh\necho hi\n", 0755);
  std::string big(2621440 + 17, '\0');  // several read chunks, not a multiple of one
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  write(root / "data/big.bin", big);
  write(root / "data/deep/er/note.md", "# note\n", 0640);
  fs::create_directories(root / "empty_dir");
  fs::create_directories(root / "data/empty_nested");
  REQUIRE(::chmod((root / "empty_dir").c_str(), 0750) == 0);
  fs::create_symlink("abc.txt", root / "link_to_abc");
  fs::create_symlink("../bin/run.sh", root / "data/link_up");
  fs::create_symlink("does-not-exist", root / "dangling");
}

// Every entry under `root` as "path type mode content-or-target", for comparing trees.
std::set<std::string> snapshot(const fs::path& root) {
  std::set<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    struct stat st{};
    REQUIRE(::lstat(it->path().c_str(), &st) == 0);
    std::string rel = fs::relative(it->path(), root).string();
    std::string line = rel + " mode=" + std::to_string(st.st_mode & 07777);
    if (S_ISLNK(st.st_mode)) line = rel + " symlink->" + fs::read_symlink(it->path()).string();
    else if (S_ISDIR(st.st_mode)) line += " dir";
    else line += " file=" + read(it->path());
    out.insert(line);
  }
  return out;
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

json sidecar_of(const std::string& archive) { return json::parse(read(archive + ".manifest.json")); }

json find_entry(const json& manifest, const std::string& path) {
  for (const auto& e : manifest["entries"])
    if (e["path"] == path) return e;
  return nullptr;
}

std::string sha256sum(const fs::path& p) {
  std::string cmd = "sha256sum '" + p.string() + "'";
  FILE* f = ::popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[65] = {0};
  REQUIRE(std::fread(buf, 1, 64, f) == 64);
  ::pclose(f);
  return buf;
}

// A minimal ustar writer for hostile archives that no well-behaved tool would produce.
struct TarEntry {
  std::string name;
  char type;  // '0' file, '5' dir, '2' symlink, '1' hardlink
  std::string link, content;
};

std::string ustar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    char h[512] = {0};
    std::snprintf(h, 100, "%s", e.name.c_str());
    std::snprintf(h + 100, 8, "%07o", e.type == '5' ? 0755 : 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011o", static_cast<unsigned>(e.content.size()));
    std::snprintf(h + 136, 12, "%011o", 1700000000u);
    std::memset(h + 148, ' ', 8);
    h[156] = e.type;
    std::snprintf(h + 157, 100, "%s", e.link.c_str());
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out.append(h, 512);
    out += e.content;
    out.append((512 - e.content.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

// A call whose host cancels the run once the tool has streamed `after` output chunks.
class CancellingCall : public CallContext {
 public:
  explicit CancellingCall(int after) : after_(after) {}
  bool on_output(steward_stream, std::string_view) override {
    if (++seen_ >= after_) cancel = true;
    return !cancel;
  }
  bool cancelled() const override { return cancel; }
  bool cancel = false;

 private:
  int after_, seen_ = 0;
};

}  // namespace

TEST_CASE("backup: create then restore reproduces the tree byte for byte", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  const fs::path src = t.path() / "site", dest = t.path() / "archives", target = t.path() / "restored";
  make_tree(src);
  const std::string compression = GENERATE(std::string("zstd"), std::string("gzip"));
  INFO(compression);

  auto created = call_tool(*reg, "backup",
                           {{"name", "site"}, {"sources", {src.string()}}, {"destination", dest.string()},
                            {"compression", compression}});
  INFO(created.error << created.err);
  REQUIRE(created.ok());
  json r = created.result_json();
  const std::string archive = r["archive"];
  CHECK(fs::path(archive).parent_path() == dest);
  CHECK(fs::path(archive).filename().string().rfind("site-", 0) == 0);
  CHECK(archive.substr(archive.size() - (compression == "zstd" ? 8 : 7)) == (compression == "zstd" ? ".tar.zst" : ".tar.gz"));
  CHECK(r["files"] == 5);  // abc, empty, run.sh, big.bin, note.md (symlinks are not files)
  CHECK(r["bytes"] == 3 + 0 + 18 + 2621440 + 17 + 7);
  CHECK(r["size"] == fs::file_size(archive));
  CHECK(r["sha256"] == sha256sum(archive));
  CHECK(r["pruned"] == json::array());
  CHECK(created.out.find("backup: 5 files, 2.5 MiB") != std::string::npos);  // the final progress line
  CHECK(files_in(dest) == std::set<std::string>{fs::path(archive).filename().string(),
                                                fs::path(archive).filename().string() + ".manifest.json"});

  // The manifest: known SHA-256 vectors, and the big file checked against sha256sum.
  json m = sidecar_of(archive);
  CHECK(m["format"] == "steward-backup/1");
  CHECK(m["archive_sha256"] == r["sha256"]);
  CHECK(find_entry(m, "site/abc.txt")["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(find_entry(m, "site/empty.txt")["sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(find_entry(m, "site/data/big.bin")["sha256"] == sha256sum(src / "data/big.bin"));
  CHECK(find_entry(m, "site/data/big.bin")["size"] == 2621440 + 17);
  CHECK(find_entry(m, "site/link_to_abc")["target"] == "abc.txt");
  CHECK(find_entry(m, "site/empty_dir")["type"] == "dir");

  auto verified = call_tool(*reg, "backup", {{"operation", "verify"}, {"archive", archive}});
  INFO(verified.error);
  CHECK(verified.ok());
  CHECK(verified.result_json()["ok"] == true);
  CHECK(verified.result_json()["files"] == 5);

  auto restored = call_tool(*reg, "backup", {{"operation", "restore"}, {"archive", archive}, {"target", target.string()}});
  INFO(restored.error);
  REQUIRE(restored.ok());
  CHECK(files_in(target) == std::set<std::string>{"site"});
  CHECK(snapshot(target / "site") == snapshot(src));

  // A file name relative to destination works too; a non-empty target is refused.
  auto again = call_tool(*reg, "backup",
                         {{"operation", "restore"}, {"archive", fs::path(archive).filename().string()},
                          {"destination", dest.string()}, {"target", target.string()}});
  CHECK_FALSE(again.ok());
  CHECK(again.error.find("is not empty") != std::string::npos);
}

TEST_CASE("backup: several sources, and a file as a source", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  write(t.path() / "a/x.txt", "x");
  write(t.path() / "single.conf", "conf");
  auto r = call_tool(*reg, "backup",
                     {{"name", "two"}, {"sources", {(t.path() / "a").string() + "/", (t.path() / "single.conf").string()}},
                      {"destination", (t.path() / "out").string()}});
  INFO(r.error);
  REQUIRE(r.ok());
  json m = sidecar_of(r.result_json()["archive"]);
  CHECK(find_entry(m, "a/x.txt")["size"] == 1);
  CHECK(find_entry(m, "single.conf")["size"] == 4);

  // Two sources with the same last component would collide in the archive.
  write(t.path() / "b/a/y.txt", "y");
  auto clash = call_tool(*reg, "backup",
                         {{"name", "two"}, {"sources", {(t.path() / "a").string(), (t.path() / "b/a").string()}},
                          {"destination", (t.path() / "out2").string()}});
  CHECK_FALSE(clash.ok());
  CHECK(clash.error.find("would both be 'a/'") != std::string::npos);
  CHECK(files_in(t.path() / "out2").empty());
}

TEST_CASE("backup: verify names what a corrupted archive or manifest no longer matches", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  make_tree(t.path() / "src");
  auto created = call_tool(*reg, "backup",
                           {{"name", "c"}, {"sources", {(t.path() / "src").string()}}, {"destination", t.path().string() + "/d"}});
  REQUIRE(created.ok());
  const std::string archive = created.result_json()["archive"];
  const std::string good = read(archive);

  SECTION("one byte of the archive flipped") {
    std::string bad = good;
    bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x5a);
    std::ofstream(archive, std::ios::binary | std::ios::trunc) << bad;
    auto v = call_tool(*reg, "backup", {{"operation", "verify"}, {"archive", archive}});
    CHECK_FALSE(v.ok());
    CHECK(v.error.find("verify failed for " + archive) != std::string::npos);
    CHECK(v.error.find("archive: sha256 ") != std::string::npos);
    CHECK(v.result_json()["ok"] == false);
    CHECK(v.err.find("MISMATCH") != std::string::npos);
  }
  SECTION("the manifest disagrees about one file") {
    json m = sidecar_of(archive);
    for (auto& e : m["entries"])
      if (e["path"] == "src/data/deep/er/note.md") e["sha256"] = std::string(64, '0');
    std::ofstream(archive + ".manifest.json", std::ios::trunc) << m.dump();
    auto v = call_tool(*reg, "backup", {{"operation", "verify"}, {"archive", archive}});
    CHECK_FALSE(v.ok());
    CHECK(v.error.find("src/data/deep/er/note.md: sha256 ") != std::string::npos);
    CHECK(v.error.find("archive: sha256") == std::string::npos);  // the archive itself is intact
    REQUIRE(v.result_json()["mismatches"].size() == 1);
  }
  SECTION("the manifest lists a file the archive lacks, and the size differs") {
    json m = sidecar_of(archive);
    m["entries"].push_back({{"path", "src/ghost"}, {"type", "file"}, {"size", 1}, {"sha256", "x"}});
    for (auto& e : m["entries"])
      if (e["path"] == "src/abc.txt") e["size"] = 4;
    std::ofstream(archive + ".manifest.json", std::ios::trunc) << m.dump();
    auto v = call_tool(*reg, "backup", {{"operation", "verify"}, {"archive", archive}});
    CHECK_FALSE(v.ok());
    CHECK(v.error.find("src/ghost: in the manifest but missing from the archive") != std::string::npos);
    CHECK(v.error.find("src/abc.txt: size 3, manifest says 4") != std::string::npos);
  }
  SECTION("no sidecar") {
    fs::remove(archive + ".manifest.json");
    auto v = call_tool(*reg, "backup", {{"operation", "verify"}, {"archive", archive}});
    CHECK_FALSE(v.ok());
    CHECK(v.error.find("no manifest sidecar") != std::string::npos);
  }
}

TEST_CASE("backup: restore refuses archives with entries that escape the target", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  const fs::path outside = t.path() / "outside", target = t.path() / "work/target";
  fs::create_directories(outside);
  const std::string abs_victim = (outside / "abs_evil").string();

  struct Case {
    const char* what;
    std::vector<TarEntry> entries;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"a ../ entry", {{"ok.txt", '0', "", "fine"}, {"../evil", '0', "", "pwned"}}, "entry '../evil': contains '..'"},
      {"a nested .. entry", {{"a/../../evil", '0', "", "pwned"}}, "contains '..'"},
      {"an absolute entry", {{"ok.txt", '0', "", "fine"}, {abs_victim, '0', "", "pwned"}}, "absolute path"},
      {"a symlink to an absolute path", {{"out", '2', outside.string(), ""}}, "symlink 'out' -> '" + outside.string() + "': points outside the target"},
      {"a symlink climbing out", {{"sub", '5', "", ""}, {"sub/up", '2', "../../outside", ""}}, "points outside the target"},
      {"a symlink chain that climbs out",
       {{"d1", '5', "", ""}, {"d1/d2", '5', "", ""}, {"d1/d2/s1", '2', "../..", ""}, {"t", '2', "d1/d2/s1/..", ""}},
       "symlink 't' -> 'd1/d2/s1/..': points outside the target"},
      {"an entry written through a symlink", {{"ln", '2', ".", ""}, {"ln/x", '0', "", "via link"}}, "goes through symlink 'ln'"},
      {"a hardlink to a file outside", {{"h", '1', "../outside/abs_evil", ""}}, "contains '..'"},
      {"a fifo", {{"f", '6', "", ""}}, "a device, fifo or socket"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const fs::path tar = t.path() / "evil.tar";
    std::ofstream(tar, std::ios::binary | std::ios::trunc) << ustar(c.entries);
    auto r = call_tool(*reg, "backup", {{"operation", "restore"}, {"archive", tar.string()}, {"target", target.string()}});
    CHECK_FALSE(r.ok());
    CHECK(r.error.find(c.error) != std::string::npos);
    INFO(r.error);
    CHECK(files_in(outside).empty());           // nothing written outside
    CHECK_FALSE(fs::exists(t.path() / "evil"));  // ../evil relative to the target's parent chain
    CHECK_FALSE(fs::exists(t.path() / "work/evil"));
    CHECK(files_in(target).empty());  // and nothing inside either: refused before writing
  }

  // The same writer's harmless archive does restore, so the refusals above are about the entries.
  const fs::path tar = t.path() / "good.tar";
  std::ofstream(tar, std::ios::binary | std::ios::trunc)
      << ustar({{"d", '5', "", ""}, {"d/f.txt", '0', "", "hello"}, {"d/l", '2', "f.txt", ""}, {"d/h", '1', "d/f.txt", ""},
                {"up", '2', "d/../d/f.txt", ""}});
  auto ok = call_tool(*reg, "backup", {{"operation", "restore"}, {"archive", tar.string()}, {"target", target.string()}});
  INFO(ok.error);
  REQUIRE(ok.ok());
  CHECK(read(target / "d/f.txt") == "hello");
  CHECK(fs::read_symlink(target / "d/l") == "f.txt");
  CHECK(read(target / "d/h") == "hello");
  CHECK(files_in(outside).empty());
}

TEST_CASE("backup: include and exclude globs apply to paths relative to each source", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  const fs::path src = t.path() / "app";
  write(src / "a.txt", "a");
  write(src / "b.log", "b");
  write(src / "logs/x.log", "x");
  write(src / "logs/keep.txt", "k");
  write(src / "cache/blob", "c");
  write(src / "docs/readme.md", "r");
  write(src / "docs/sub/more.md", "m");
  fs::create_directories(src / "empty");

  auto paths = [&](const json& extra) {
    json args = {{"name", "g"}, {"sources", {src.string()}}, {"destination", (t.path() / "out").string()}};
    args.update(extra);
    auto r = call_tool(*reg, "backup", args);
    INFO(r.error);
    REQUIRE(r.ok());
    std::set<std::string> out;
    const json manifest = sidecar_of(r.result_json()["archive"]);  // a named copy: a temporary's member would dangle
    for (const auto& e : manifest["entries"]) out.insert(e["path"].get<std::string>());
    fs::remove_all(t.path() / "out");
    return out;
  };

  CHECK(paths({{"exclude", {"*.log", "cache"}}}) ==
        std::set<std::string>{"app", "app/a.txt", "app/logs", "app/logs/keep.txt", "app/docs", "app/docs/readme.md",
                              "app/docs/sub", "app/docs/sub/more.md", "app/empty"});
  CHECK(paths({{"include", {"docs"}}}) ==
        std::set<std::string>{"app", "app/docs", "app/docs/readme.md", "app/docs/sub", "app/docs/sub/more.md"});
  CHECK(paths({{"include", {"*.txt"}}, {"exclude", {"logs/*"}}}) == std::set<std::string>{"app", "app/a.txt"});
  CHECK(paths({{"include", {"docs/*.md"}}}) ==
        std::set<std::string>{"app", "app/docs", "app/docs/readme.md", "app/docs/sub", "app/docs/sub/more.md"});
}

TEST_CASE("backup: retention deletes only its own archives and keeps the right ones", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  write(t.path() / "src/f", "data");
  const std::string dest = (t.path() / "dest").string();
  auto make = [&](const std::string& name, const std::string& now) {
    auto r = call_tool(*reg, "backup", {{"name", name}, {"sources", {(t.path() / "src").string()}}, {"destination", dest}, {"now", now}});
    INFO(r.error);
    REQUIRE(r.ok());
    return fs::path(r.result_json()["archive"].get<std::string>()).filename().string();
  };
  // 2026-11-02 is a Monday.
  const std::vector<std::string> stamps = {"20261020T010000Z", "20261027T010000Z", "20261101T080000Z",
                                           "20261102T010000Z", "20261102T230000Z", "20261103T120000Z",
                                           "20261104T060000Z", "20261104T180000Z"};
  for (const auto& s : stamps) make("nightly", s);
  make("other", "20200101T000000Z");  // another backup's archive
  // Foreign files: an archive-like file with no sidecar, one whose sidecar names another file.
  write(dest + "/other.tar.zst", "not ours");
  write(dest + "/nightly-20200101T000000Z.tar.zst", "no sidecar");
  write(dest + "/nightly-20200102T000000Z.tar.zst", "wrong sidecar");
  write(dest + "/nightly-20200102T000000Z.tar.zst.manifest.json",
        json{{"format", "steward-backup/1"}, {"name", "nightly"}, {"archive", "nightly-20990101T000000Z.tar.zst"},
             {"entries", json::array()}, {"archive_sha256", ""}, {"archive_size", 0}}
            .dump());
  const auto foreign = std::set<std::string>{"other.tar.zst", "nightly-20200101T000000Z.tar.zst",
                                             "nightly-20200102T000000Z.tar.zst",
                                             "nightly-20200102T000000Z.tar.zst.manifest.json",
                                             "other-20200101T000000Z.tar.zst", "other-20200101T000000Z.tar.zst.manifest.json"};

  auto prune_keeps = [&](const json& policy) {
    // Work on a copy so that each policy starts from the same archives.
    const std::string copy = (t.path() / "copy").string();
    fs::remove_all(copy);
    fs::copy(dest, copy);
    json args = {{"operation", "prune"}, {"name", "nightly"}, {"destination", copy}};
    args.update(policy);
    auto r = call_tool(*reg, "backup", args);
    INFO(r.error);
    REQUIRE(r.ok());
    std::set<std::string> kept;
    for (const auto& f : files_in(copy)) {
      if (foreign.count(f)) continue;
      if (f.size() > 14 && f.substr(f.size() - 14) == ".manifest.json") continue;
      kept.insert(f.substr(8, 16));  // the stamp
    }
    for (const auto& f : foreign) CHECK(fs::exists(copy + "/" + f));
    CHECK(r.result_json()["pruned"].size() == stamps.size() - kept.size());
    return kept;
  };

  CHECK(prune_keeps({{"keep_last", 3}}) ==
        std::set<std::string>{"20261103T120000Z", "20261104T060000Z", "20261104T180000Z"});
  CHECK(prune_keeps({{"keep_daily", 3}}) ==
        std::set<std::string>{"20261102T230000Z", "20261103T120000Z", "20261104T180000Z"});
  CHECK(prune_keeps({{"keep_weekly", 3}}) ==
        std::set<std::string>{"20261020T010000Z", "20261101T080000Z", "20261104T180000Z"});
  // The union of the rules: last 1 (Nov 4 18:00), the 2 newest days (Nov 4, Nov 3) and the
  // 4 newest ISO weeks that have an archive (only 3 do: Nov 2-8, Oct 26-Nov 1, Oct 19-25).
  CHECK(prune_keeps({{"keep_last", 1}, {"keep_daily", 2}, {"keep_weekly", 4}}) ==
        std::set<std::string>{"20261020T010000Z", "20261101T080000Z", "20261103T120000Z", "20261104T180000Z"});

  // After a create: the new archive counts, and the result lists what was pruned.
  auto r = call_tool(*reg, "backup",
                     {{"name", "nightly"}, {"sources", {(t.path() / "src").string()}}, {"destination", dest},
                      {"now", "20261105T010000Z"}, {"keep_last", 2}});
  REQUIRE(r.ok());
  CHECK(r.result_json()["pruned"].size() == stamps.size() - 1);
  CHECK(fs::exists(dest + "/nightly-20261105T010000Z.tar.zst"));
  CHECK(fs::exists(dest + "/nightly-20261104T180000Z.tar.zst"));
  CHECK_FALSE(fs::exists(dest + "/nightly-20261104T060000Z.tar.zst"));
  CHECK_FALSE(fs::exists(dest + "/nightly-20261104T060000Z.tar.zst.manifest.json"));
  for (const auto& f : foreign) CHECK(fs::exists(dest + "/" + f));

  // list shows this tool's archives only, oldest first, with time, size and file count.
  auto listed = call_tool(*reg, "backup", {{"operation", "list"}, {"destination", dest}});
  REQUIRE(listed.ok());
  json archives = listed.result_json()["archives"];
  REQUIRE(archives.size() == 3);
  CHECK(archives[0]["name"] == "other");
  CHECK(archives[1]["time"] == "2026-11-04T18:00:00Z");
  CHECK(archives[2]["files"] == 1);
  CHECK(archives[2]["size"] == fs::file_size(archives[2]["archive"].get<std::string>()));
  CHECK(listed.out.find("2026-11-05T01:00:00Z") != std::string::npos);

  // Two archives in the same second do not collide.
  auto first = make("same", "20261105T010000Z"), second = make("same", "20261105T010000Z");
  CHECK(first == "same-20261105T010000Z.tar.zst");
  CHECK(second == "same-20261105T010000Z-1.tar.zst");
}

TEST_CASE("backup: a cancelled create leaves neither a partial nor a final archive", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  for (int i = 0; i < 50; ++i) write(t.path() / "src" / ("f" + std::to_string(i)), std::string(1000, 'x'));
  const fs::path dest = t.path() / "dest";
  const Plugin* tool = reg->tool("backup");
  REQUIRE(tool != nullptr);
  CancellingCall call(3);  // "writing ..." and two progress lines, then the host cancels
  json args = {{"name", "c"}, {"sources", {(t.path() / "src").string()}}, {"destination", dest.string()}, {"progress_files", 5}};
  CHECK(tool->run(call, args.dump()) == STEWARD_CANCELLED);
  CHECK(call.cancel);
  CHECK(files_in(dest).empty());
}

TEST_CASE("backup: an unreadable source fails clearly and leaves nothing behind", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  const fs::path dest = t.path() / "dest";

  SECTION("a source that does not exist") {
    auto r = call_tool(*reg, "backup", {{"name", "u"}, {"sources", {(t.path() / "missing").string()}}, {"destination", dest.string()}});
    CHECK_FALSE(r.ok());
    CHECK(r.error == "create: source " + (t.path() / "missing").string() + ": No such file or directory");
    CHECK(files_in(dest).empty());
  }
  SECTION("a file the daemon may not read") {
    write(t.path() / "src/a_readable", std::string(100, 'a'));
    write(t.path() / "src/secret", "secret", 0000);
    // Root reads anything; a non-root fsuid on this thread drops that (the tool runs in it).
    const bool root = ::geteuid() == 0;
    if (root) {
      fs::permissions(t.path(), fs::perms::all);
      fs::create_directories(dest);
      fs::permissions(dest, fs::perms::all);
      fs::permissions(t.path() / "src", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                            fs::perms::others_read | fs::perms::others_exec);
      ::setfsuid(65534);
      ::setfsgid(65534);
    }
    auto r = call_tool(*reg, "backup", {{"name", "u"}, {"sources", {(t.path() / "src").string()}}, {"destination", dest.string()}});
    if (root) {
      ::setfsuid(0);
      ::setfsgid(0);
    }
    CHECK_FALSE(r.ok());
    CHECK(r.error == "create: cannot read source file " + (t.path() / "src/secret").string() + ": Permission denied");
    CHECK(files_in(dest).empty());
  }
}

TEST_CASE("backup: bad arguments are refused with the field and the reason", "[unit][backup]") {
  auto reg = in_tree_plugins();
  TempDir t;
  const std::string d = t.str();
  struct Case {
    json args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{{"sources", {d}}, {"destination", d}}, "create: name is required"},
      {{{"name", "../x"}, {"sources", {d}}, {"destination", d}}, "name: '../x' must be 1-100 characters"},
      {{{"name", "x"}, {"sources", {d}}, {"destination", "rel/dir"}}, "destination: 'rel/dir' is not an absolute path"},
      {{{"name", "x"}, {"sources", {"rel"}}, {"destination", d + "/o"}}, "sources: 'rel' is not an absolute path"},
      {{{"name", "x"}, {"destination", d}}, "create: sources is required"},
      {{{"name", "x"}, {"sources", {d}}, {"destination", d}, {"compression", "gzip"}, {"level", 12}}, "level: gzip accepts 1-9"},
      {{{"operation", "prune"}, {"name", "x"}, {"destination", d}}, "prune: give keep_last, keep_daily or keep_weekly"},
      {{{"operation", "verify"}}, "verify: archive is required"},
      {{{"operation", "verify"}, {"archive", "x.tar.zst"}}, "archive: 'x.tar.zst' must be an absolute path"},
      {{{"operation", "restore"}, {"archive", d + "/x.tar.zst"}}, "restore: target is required"},
      {{{"operation", "list"}}, "list: destination is required"},
      {{{"name", "x"}, {"sources", {d}}, {"destination", d}, {"now", "20261323T031500Z"}}, "now: '20261323T031500Z' is not a UTC time"},
  };
  for (const auto& c : cases) {
    INFO(c.args.dump());
    auto r = call_tool(*reg, "backup", c.args);
    CHECK_FALSE(r.ok());
    CHECK(r.error.rfind(c.error, 0) == 0);
    INFO(r.error);
  }
  // The schema documents every field.
  const Plugin* tool = reg->tool("backup");
  for (const auto& [k, v] : tool->schema()["properties"].items()) {
    INFO(k);
    CHECK(v.contains("description"));
  }
}

TEST_CASE("backup type: params become one backup create step", "[unit][backup]") {
  auto reg = in_tree_plugins();
  const Plugin* type = reg->automation_type("backup");
  REQUIRE(type != nullptr);
  PlanCall call;
  json params = {{"name", "db"}, {"sources", {"/var/lib/db"}}, {"destination", "/backups"}, {"compression", "gzip"},
                 {"exclude", {"*.tmp"}}, {"keep_last", 7}, {"keep_weekly", 4}};
  REQUIRE(type->plan(call, params.dump()) == STEWARD_OK);
  json plan = json::parse(call.result);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0]["tool"] == "backup");
  json expected = params;
  expected["operation"] = "create";
  CHECK(plan[0]["args"] == expected);
  // The step's args fit the tool's schema.
  CHECK_FALSE(validate_json(reg->tool("backup")->schema(), plan[0]["args"], "args"));

  PlanCall bad;
  CHECK(type->plan(bad, json{{"name", "a b"}, {"sources", {"/x"}}, {"destination", "/b"}}.dump()) == STEWARD_ERROR);
  CHECK(bad.error.find("name: 'a b'") == 0);
  PlanCall rel;
  CHECK(type->plan(rel, json{{"name", "ab"}, {"sources", {"x"}}, {"destination", "/b"}}.dump()) == STEWARD_ERROR);
  CHECK(rel.error == "sources: 'x' is not an absolute path");
}

TEST_CASE("backup: a plugin_config entry is refused, since every option is a run arg", "[unit][backup]") {
  auto reg = in_tree_plugins({{"backup", {{"destination", "/x"}}}});
  CHECK(reg->tool("backup") == nullptr);
  CHECK(in_tree_plugins()->tool("backup") != nullptr);
}
