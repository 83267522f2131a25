#include "tests/support/doc_examples.hpp"

#include <cstdio>
#include <regex>
#include <stdexcept>

namespace steward::test::docs {

namespace {

const std::string kEllipsis = "\xE2\x80\xA6";  // U+2026, the placeholder's end

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

bool is_id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_word_char(char c) { return is_id_char(c) || (c >= 'A' && c <= 'Z') || c == '_'; }

// What each byte of a command is to bash, as far as this needs: code, quoted, or comment.
enum class Ctx : char { code, single, dquote, comment };

struct Scan {
  std::vector<Ctx> ctx;
  bool open_quote = false;
  bool trailing_backslash = false;  // the text ends in an unescaped `\`: it continues
};

Scan scan(const std::string& s) {
  Scan r;
  r.ctx.assign(s.size(), Ctx::code);
  bool sq = false, dq = false, comment = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (comment) {
      if (c == '\n') comment = false;
      else r.ctx[i] = Ctx::comment;
      continue;
    }
    if (sq) {
      r.ctx[i] = Ctx::single;
      if (c == '\'') sq = false;
      continue;
    }
    if (dq) {
      r.ctx[i] = Ctx::dquote;
      if (c == '\\' && i + 1 < s.size()) r.ctx[++i] = Ctx::dquote;
      else if (c == '"') dq = false;
      continue;
    }
    if (c == '\\') {
      if (i + 1 < s.size()) ++i;
      else r.trailing_backslash = true;
    } else if (c == '\'') {
      sq = true;
      r.ctx[i] = Ctx::single;
    } else if (c == '"') {
      dq = true;
      r.ctx[i] = Ctx::dquote;
    } else if (c == '#') {
      // A comment starts a word; `$#`, `${#x}` and `a#b` are not comments.
      char prev = i == 0 ? '\n' : s[i - 1];
      if (prev == ' ' || prev == '\t' || prev == '\n' || prev == ';' || prev == '&' || prev == '|' || prev == '(' ||
          prev == ')') {
        comment = true;
        r.ctx[i] = Ctx::comment;
      }
    }
  }
  r.open_quote = sq || dq;
  return r;
}

// Whether bash could run the text as it is, or needs more lines (an open `if`, `$(`, `{`).
bool bash_says_complete(const std::string& text) {
  FILE* p = ::popen("bash -n >/dev/null 2>&1", "w");
  if (!p) throw std::runtime_error("cannot start bash -n");
  std::fwrite(text.data(), 1, text.size(), p);
  std::fputc('\n', p);
  return ::pclose(p) == 0;
}

bool complete(const std::string& text) {
  Scan s = scan(text);
  if (s.open_quote || s.trailing_backslash) return false;
  // Most commands are plain: only something that can open a compound needs bash's opinion.
  static const std::regex kOpener(R"([({`]|\b(if|for|while|until|case|select|function)\b|(\||&&)\s*$)");
  std::string code = text;
  for (std::size_t i = 0; i < code.size(); ++i)
    if (s.ctx[i] != Ctx::code) code[i] = ' ';
  if (!std::regex_search(code, kOpener)) return true;
  return bash_says_complete(text);
}

struct Mark {
  enum Kind { none, run, skip, expect_fail } kind = none;
  std::string reason;
  std::string error;  // set when the mark is not understood
};

bool is_mark_line(const std::string& trimmed) {
  return starts_with(trimmed, "<!--") && trimmed.find("doc-test") != std::string::npos;
}

Mark parse_mark(const std::string& trimmed) {
  static const std::regex kMark(R"(^<!--\s*doc-test:\s*(.*?)\s*-->$)");
  std::smatch m;
  Mark mark;
  if (!std::regex_match(trimmed, m, kMark)) {
    mark.error = "a doc-test mark is written <!-- doc-test: run|expect-fail|skip: REASON -->";
    return mark;
  }
  std::string what = m[1];
  auto colon = what.find(':');
  std::string word = trim(what.substr(0, colon));
  if (what == "run") {
    mark.kind = Mark::run;
  } else if (what == "expect-fail") {
    mark.kind = Mark::expect_fail;
  } else if (word == "skip") {
    mark.kind = Mark::skip;
    mark.reason = colon == std::string::npos ? "" : trim(what.substr(colon + 1));
    if (mark.reason.empty()) mark.error = "skip needs a reason: <!-- doc-test: skip: REASON -->";
  } else {
    mark.error = "unknown doc-test mark '" + what + "' (run, expect-fail or skip: REASON)";
  }
  return mark;
}

struct Fence {
  std::size_t indent = 0;
  char ch = '`';
  std::size_t len = 0;
  std::string info;
};

std::optional<Fence> fence_open(const std::string& line) {
  std::size_t i = line.find_first_not_of(' ');
  if (i == std::string::npos) return std::nullopt;
  char c = line[i];
  if (c != '`' && c != '~') return std::nullopt;
  std::size_t j = i;
  while (j < line.size() && line[j] == c) ++j;
  if (j - i < 3) return std::nullopt;
  return Fence{i, c, j - i, trim(line.substr(j))};
}

bool fence_closes(const std::string& line, const Fence& f) {
  std::string t = trim(line);
  if (t.size() < f.len) return false;
  return t.find_first_not_of(f.ch) == std::string::npos;
}

}  // namespace

std::string without_comments(const std::string& command) {
  Scan s = scan(command);
  std::string out = command;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (s.ctx[i] == Ctx::comment) out[i] = ' ';
  return out;
}

bool calls_curl(const std::string& command) {
  Scan s = scan(command);
  std::string code = command;
  for (std::size_t i = 0; i < code.size(); ++i)
    if ((s.ctx[i] == Ctx::single || s.ctx[i] == Ctx::comment) && code[i] != '\n') code[i] = ' ';
  static const std::regex kCurl(R"((^|[;|&(`!]|\b(if|then|else|do|while|until|time)\b)[ \t]*curl([ \t]|$))");
  std::size_t start = 0;
  while (start <= code.size()) {
    auto end = code.find('\n', start);
    std::string line = code.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (std::regex_search(line, kCurl)) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

std::vector<Command> split_commands(const std::vector<std::string>& lines, int first_line) {
  bool prompt_mode = false;
  for (const auto& l : lines) {
    std::string t = trim(l);
    if (starts_with(t, "$ ") || t == "$") prompt_mode = true;
  }
  std::vector<Command> out;
  Command cur;
  bool open = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (!open) {
      std::string t = trim(line);
      if (prompt_mode) {
        if (!starts_with(t, "$ ")) continue;  // output shown to the reader
        t = trim(t.substr(2));
        line = t;
      }
      if (t.empty() || t[0] == '#') continue;
      cur = Command{first_line + static_cast<int>(i), line};
      open = true;
    } else {
      cur.text += "\n" + line;
    }
    if (complete(cur.text)) {
      out.push_back(cur);
      open = false;
    }
  }
  if (open) out.push_back(cur);  // unfinished: bash reports why when it runs
  return out;
}

Document parse(const std::string& markdown) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= markdown.size()) {
    auto end = markdown.find('\n', start);
    std::string l = markdown.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
    if (end == std::string::npos) break;
    start = end + 1;
  }

  Document doc;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string t = trim(lines[i]);
    if (is_mark_line(t)) {
      if (i + 1 >= lines.size() || !fence_open(lines[i + 1]))
        doc.errors.push_back("line " + std::to_string(i + 1) + ": a doc-test mark must be on the line just before a code fence");
      continue;
    }
    auto fence = fence_open(lines[i]);
    if (!fence) continue;

    Block b;
    b.line = static_cast<int>(i) + 1;
    b.info = fence->info;
    Mark mark;
    if (i > 0 && is_mark_line(trim(lines[i - 1]))) {
      mark = parse_mark(trim(lines[i - 1]));
      if (!mark.error.empty()) doc.errors.push_back("line " + std::to_string(i) + ": " + mark.error);
    }
    std::vector<std::string> body;
    std::size_t j = i + 1;
    for (; j < lines.size() && !fence_closes(lines[j], *fence); ++j) {
      // Content indented like its fence (inside a list item) loses that indentation.
      std::size_t strip = std::min(fence->indent, lines[j].find_first_not_of(' ') == std::string::npos
                                                      ? lines[j].size()
                                                      : lines[j].find_first_not_of(' '));
      body.push_back(lines[j].substr(strip));
    }
    if (j >= lines.size()) doc.errors.push_back("line " + std::to_string(b.line) + ": the code fence is never closed");

    b.commands = split_commands(body, b.line + 1);
    for (const auto& c : b.commands)
      if (calls_curl(c.text)) b.example = true;
    switch (mark.kind) {
      case Mark::none: b.runs = b.example; break;
      case Mark::run: b.runs = true; break;
      case Mark::expect_fail: b.runs = b.expect_fail = true; break;
      case Mark::skip: b.skip_reason = mark.reason; break;
    }
    doc.blocks.push_back(std::move(b));
    i = j;  // past the closing fence
  }
  return doc;
}

std::optional<std::string> IdHistory::latest(const std::string& prefix) const {
  auto is_b32 = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); };
  std::size_t pos = text_.size();
  while (pos > 0) {
    pos = text_.rfind(prefix, pos - 1);
    if (pos == std::string::npos) return std::nullopt;
    if (pos > 0 && is_word_char(text_[pos - 1])) continue;
    std::size_t e = pos + prefix.size();
    while (e < text_.size() && is_b32(text_[e])) ++e;
    std::size_t n = e - pos - prefix.size();
    if (n < 16) continue;
    if (e < text_.size() && is_word_char(text_[e])) continue;  // `run_timeouts_total`, `Run_ABC…`
    return text_.substr(pos, e - pos);
  }
  return std::nullopt;
}

Filled fill_placeholders(const std::string& command, const IdHistory& ids) {
  Scan s = scan(command);
  Filled f;
  std::size_t done = 0;  // command[0, done) is copied to f.text already
  std::size_t p = 0;
  while ((p = command.find(kEllipsis, p)) != std::string::npos) {
    std::size_t at = p;
    p += kEllipsis.size();
    if (s.ctx[at] == Ctx::comment) continue;
    // Back over the id characters written before the ellipsis, the '_' and the prefix.
    std::size_t b = at;
    while (b > 0 && is_id_char(command[b - 1])) --b;
    if (b == 0 || command[b - 1] != '_') continue;
    std::size_t u = b - 1;
    std::size_t w = u;
    while (w > 0 && is_id_char(command[w - 1])) --w;
    if (w == u || !(command[w] >= 'a' && command[w] <= 'z')) continue;
    if (w > 0 && is_word_char(command[w - 1])) continue;
    std::string prefix = command.substr(w, u - w + 1);
    auto id = ids.latest(prefix);
    if (!id) {
      if (f.missing.empty()) f.missing = command.substr(w, p - w);
      continue;
    }
    f.text += command.substr(done, w - done) + *id;
    done = p;
  }
  f.text += command.substr(done);
  return f;
}

std::string rewrite(const std::string& command, const Rewrites& r) {
  // One pass for the ports, so a new port that happens to be 18781 is not rewritten again.
  static const std::regex kPort(R"(((localhost|127\.0\.0\.1):)?\b(1878[01])\b)");
  std::string out;
  auto begin = std::sregex_iterator(command.begin(), command.end(), kPort);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out += command.substr(last, m.position(0) - last);
    int port = m[3] == "18780" ? r.port : r.device_port;
    out += (m[1].matched ? "127.0.0.1:" : "") + std::to_string(port);
    last = m.position(0) + m.length(0);
  }
  out += command.substr(last);

  static const std::regex kBinary(R"((^|[^A-Za-z0-9_./-])build/bin/steward\b)");
  out = std::regex_replace(out, kBinary, "$1" + r.binary);
  static const std::regex kDataDir(R"(--data-dir(=| +)\./data(?=$|[\s;|&)'"]))");
  out = std::regex_replace(out, kDataDir, "--data-dir$1" + r.data_dir);
  return out;
}

}  // namespace steward::test::docs
