// The docs' curl examples as data: which fenced blocks of a Markdown page run, split into
// shell commands, with `<prefix>_…` placeholders filled from ids printed earlier and the
// documented address, binary and data dir rewritten to the test daemon's. The convention is
// docs/contributing-docs.md; tests/runtime/docs_examples_test.cpp executes what this finds.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace steward::test::docs {

// One shell command as written in the document: a line, plus the lines it continues on
// (a trailing `\`, an open quote, an unfinished `if`/`for`/`$(`). A `$ ` prompt is removed.
struct Command {
  int line = 0;  // 1-based line in the document where it starts
  std::string text;
};

struct Block {
  int line = 0;              // 1-based line of the opening fence
  std::string info;          // the fence's info string ("sh", "json", "")
  bool example = false;      // has a command that calls curl
  bool runs = false;         // the runner executes it (an example not skipped, or marked run)
  bool expect_fail = false;  // marked expect-fail: some command must exit non-zero
  std::string skip_reason;   // marked skip (then runs is false)
  std::vector<Command> commands;  // blank and comment-only lines are left out
};

struct Document {
  std::vector<Block> blocks;        // every fenced block, in order
  std::vector<std::string> errors;  // "line N: …" for a doc-test mark that is misplaced or unknown
};

Document parse(const std::string& markdown);

// Splits a block's lines into commands. `first_line` is the document line of lines[0].
// With a `$ ` prompt on any command line, only prompted lines (and their continuations)
// are commands: the rest is output shown to the reader.
std::vector<Command> split_commands(const std::vector<std::string>& lines, int first_line);

// True when the command calls curl at a command position: at the start of a line, or after
// `$(`, a backquote, `|`, `;`, `&&`, `||`, `(`, `!` or if/then/do/while/until/time.
// Single-quoted text (JSON bodies) and comments do not count.
bool calls_curl(const std::string& command);

// The command with every comment (`#` at the start of a word, outside quotes) blanked to
// spaces: placeholders in comments are text for the reader, not ids to fill.
std::string without_comments(const std::string& command);

// Everything the document's commands have printed so far.
class IdHistory {
 public:
  void add(const std::string& output) { text_ += output + "\n"; }
  // The last id `prefix` + at least 16 base32 characters ([a-z2-7]) that stands as a word of
  // its own; `prefix` ends with '_' ("auto_").
  std::optional<std::string> latest(const std::string& prefix) const;

 private:
  std::string text_;
};

struct Filled {
  std::string text;     // the command with its placeholders replaced
  std::string missing;  // the first placeholder with no earlier id ("run_…"); empty when none
};

// Replaces each `<prefix>_…` / `<prefix>_<chars>…` (U+2026) outside comments with the latest
// id of that prefix.
Filled fill_placeholders(const std::string& command, const IdHistory& ids);

struct Rewrites {
  int port = 0;             // the test daemon's REST port, for 18780
  int device_port = 0;      // its device port, for 18781
  std::string binary;       // for build/bin/steward
  std::string data_dir;     // for --data-dir ./data
};

// localhost:18780 and 127.0.0.1:18780 -> 127.0.0.1:PORT; any other whole 18780 / 18781 ->
// PORT / DEVICE_PORT; build/bin/steward -> the binary; --data-dir ./data -> the data dir.
std::string rewrite(const std::string& command, const Rewrites& r);

}  // namespace steward::test::docs
