// Server-sent events framing (WHATWG HTML §9.2): each line of a chunk becomes a "data:"
// line, so a client joining an event's data lines with "\n" gets the chunk back (a lone
// "\r" in output is a line end to SSE clients and arrives as "\n").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace steward::api::sse {

// Writes one event and flushes; false once the connection is gone.
inline bool event(std::ostream& out, std::string_view data, std::string_view type = {},
                  std::string_view id = {}) {
  if (!id.empty()) out << "id: " << id << "\n";
  if (!type.empty()) out << "event: " << type << "\n";
  std::size_t start = 0;
  while (true) {
    std::size_t nl = data.find('\n', start);
    out << "data: " << data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start) << "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out << "\n";
  out.flush();
  return out.good();
}

// A comment line: keeps proxies and clients from timing the connection out.
inline bool keepalive(std::ostream& out) {
  out << ": keep-alive\n\n";
  out.flush();
  return out.good();
}

}  // namespace steward::api::sse
