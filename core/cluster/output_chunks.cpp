#include "core/cluster/output_chunks.hpp"

#include <array>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/runs/output_buffer.hpp"

namespace steward::cluster {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (std::size_t rest = in.size() - i) {
    unsigned v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0u);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string unbase64(std::string_view in) {
  static const std::array<int, 256> values = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    for (int k = 0; k < 64; ++k) t[static_cast<unsigned char>(kAlphabet[k])] = k;
    return t;
  }();
  std::string out;
  out.reserve(in.size() / 4 * 3);
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = values[static_cast<unsigned char>(c)];
    if (v < 0) throw std::runtime_error("run_output_chunks: a row is not base64");
    acc = (acc << 6 | static_cast<unsigned>(v)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

bool is_end_row(const std::string& data) { return !data.empty() && data[0] == '{'; }

// A pass retried after a commit whose answer was lost writes the same rows again, from the
// same offsets (the same bytes, perhaps more of them): the new row wins.
const char* kUpsert =
    "INSERT INTO run_output_chunks(run_id, start_offset, data) VALUES (?, ?, ?) "
    "ON CONFLICT (run_id, start_offset) DO UPDATE SET data = excluded.data";

const char* kFinal = "('done', 'failed', 'timeout', 'cancelled', 'rejected', 'skipped', 'interrupted')";

}  // namespace

void OutputChunks::append(const std::string& run_id, std::uint64_t start, std::string_view bytes) {
  for (std::size_t at = 0; at < bytes.size(); at += kRowBytes) {
    db_.execute(kUpsert, {run_id, static_cast<std::int64_t>(start + at), base64(bytes.substr(at, kRowBytes))});
  }
}

void OutputChunks::end(const std::string& run_id, std::uint64_t total, const std::string& status,
                       const std::string& reason) {
  // The reason is the engine's own text (valid UTF-8); replace anything else rather than throw.
  std::string data = nlohmann::json{{"status", status}, {"reason", reason}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  db_.execute(kUpsert, {run_id, static_cast<std::int64_t>(total), data});
}

void OutputChunks::clear(const std::string& run_id) {
  db_.execute("DELETE FROM run_output_chunks WHERE run_id = ?", {run_id});
}

void OutputChunks::drop_range(const std::string& run_id, std::uint64_t from, std::uint64_t up_to) {
  db_.execute("DELETE FROM run_output_chunks WHERE run_id = ? AND start_offset >= ? AND start_offset < ?",
              {run_id, static_cast<std::int64_t>(from), static_cast<std::int64_t>(up_to)});
}

OutputChunks::Read OutputChunks::read(const std::string& run_id, std::uint64_t from, std::size_t max_bytes) {
  // The row holding `from` (the last one starting at or before it) and those after it.
  auto rows = db_.query(
      "SELECT start_offset, data FROM run_output_chunks WHERE run_id = ? AND start_offset >= "
      "COALESCE((SELECT MAX(start_offset) FROM run_output_chunks WHERE run_id = ? AND start_offset <= ?), 0) "
      "ORDER BY start_offset LIMIT 64",
      {run_id, run_id, static_cast<std::int64_t>(from)});
  Read r;
  std::uint64_t at = from;
  for (const auto& row : rows) {
    const auto start = static_cast<std::uint64_t>(row.integer(0));
    const std::string stored = row.text(1);
    if (is_end_row(stored)) {
      if (!r.data.empty() || start > at) break;  // the data first; or bytes before the end are missing
      auto end = nlohmann::json::parse(stored, nullptr, false);
      r.kind = Read::Kind::Ended;
      r.next = at;
      if (end.is_object()) {
        r.status = end.value("status", "");
        r.reason = end.value("reason", "");
      }
      return r;
    }
    std::string bytes = unbase64(stored);
    if (start + bytes.size() <= at) continue;  // wholly before `from`
    if (start > at) {
      if (!r.data.empty()) break;  // hand over what is contiguous; the gap comes next time
      r.kind = Read::Kind::Gap;
      r.next = start;
      return r;
    }
    std::size_t skip = static_cast<std::size_t>(at - start);
    std::size_t take = std::min(bytes.size() - skip, max_bytes - r.data.size());
    r.data.append(bytes, skip, take);
    at += take;
    if (r.data.size() >= max_bytes) break;
  }
  if (!r.data.empty()) {
    r.kind = Read::Kind::Data;
    r.next = at;
  } else if (!rows.empty() && static_cast<std::uint64_t>(rows.front().integer(0)) > from) {
    // Rows exist, but all of them after `from`: the head was dropped (or never written).
    r.kind = Read::Kind::Gap;
    r.next = static_cast<std::uint64_t>(rows.front().integer(0));
  }
  return r;
}

OutputChunks::SoFar OutputChunks::so_far(const std::string& run_id, std::size_t cap) {
  SoFar s;
  // Rows starting at or before the cap: enough to tell whether there is more than `cap`.
  for (const auto& row : db_.query("SELECT start_offset, data FROM run_output_chunks WHERE run_id = ? AND "
                                   "start_offset <= ? ORDER BY start_offset",
                                   {run_id, static_cast<std::int64_t>(cap)})) {
    const std::string stored = row.text(1);
    if (is_end_row(stored) || static_cast<std::uint64_t>(row.integer(0)) != s.text.size()) break;
    s.text += unbase64(stored);
  }
  if (s.text.size() > cap) {
    s.text.resize(cap);
    s.text += OutputBuffer::marker(cap);
    s.truncated = true;
  }
  return s;
}

std::size_t OutputChunks::sweep(std::int64_t now_ms, std::int64_t keep_ms) {
  return db_.execute(
      std::string("DELETE FROM run_output_chunks WHERE run_id IN (SELECT c.run_id FROM run_output_chunks c "
                  "LEFT JOIN runs r ON r.id = c.run_id WHERE r.id IS NULL OR (r.status = 'queued' AND r.daemon_id IS NULL) "
                  "OR (r.status IN ") +
          kFinal + " AND COALESCE(r.finished_ms, 0) < ?))",
      {now_ms - keep_ms});
}

}  // namespace steward::cluster
