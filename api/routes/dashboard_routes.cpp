// GET / and GET /ui/{file}: the web dashboard's static files (docs/dashboard.md), read from
// ctx.dashboard_dir on each request. Public: the page and its scripts hold no data; every
// datum comes from the API with the key the user signs in with.
//
// The directory is flat on purpose: {file} is one path segment of safe characters, never
// starting with a dot, so no request can name anything outside the directory (no "..",
// no "/", no percent-escapes, no hidden files) whatever the path decoding did before us.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/routes/api_context.hpp"
#include "core/util/digest.hpp"

namespace steward::api {

namespace {

// Only the types the dashboard uses; any other extension is not served.
std::optional<std::string> content_type_for(const std::string& name) {
  static const std::vector<std::pair<std::string, std::string>> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
      {".json", "application/json"}, {".txt", "text/plain; charset=utf-8"}};
  for (const auto& [ext, type] : types)
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) return type;
  return std::nullopt;
}

bool safe_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Response serve_file(const ApiContext& ctx, const Request& req, const std::string& name) {
  auto type = content_type_for(name);
  if (!safe_name(name) || !type) throw ApiError(404, "not_found", "no dashboard file '" + name + "'");
  std::filesystem::path file = std::filesystem::path(ctx.dashboard_dir) / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw ApiError(404, "not_found",
                   name == "index.html" ? "the dashboard is not installed (no index.html in '" + ctx.dashboard_dir +
                                              "'; see the setting dashboard_dir)"
                                        : "no dashboard file '" + name + "'");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) throw ApiError(500, "internal_error", "cannot read dashboard file '" + name + "'");

  Response r;
  // A strong validator of the bytes: after an upgrade the browser sees new files at once
  // (no-cache = revalidate every time), and unchanged ones cost a 304 without a body.
  std::string etag = "\"" + sha256_hex(content.str()).substr(0, 32) + "\"";
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // The signed-in key sits in sessionStorage: no inline or foreign script may run beside it,
  // and the page may not be framed (clickjacking of run/enable buttons).
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                         "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (auto match = req.header("if-none-match"); match && *match == etag) {
    r.status = 304;
    r.content_type = *type;
    return r;
  }
  r.body = content.str();
  r.content_type = *type;
  return r;
}

}  // namespace

void add_dashboard_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/", Access::open(), [&ctx](Request& req) { return serve_file(ctx, req, "index.html"); });
  router.add("GET", "/ui/{file}", Access::open(),
             [&ctx](Request& req) { return serve_file(ctx, req, req.params["file"]); });
}

}  // namespace steward::api
