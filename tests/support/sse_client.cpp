#include "tests/support/sse_client.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <istream>

namespace steward::test {

struct SseClient::Impl {
  Poco::Net::HTTPClientSession session;
  Poco::Net::HTTPResponse response;
  std::istream* in = nullptr;
  explicit Impl(int port) : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {}
};

SseClient::SseClient(int port, const std::string& path, const std::map<std::string, std::string>& headers)
    : impl_(std::make_unique<Impl>(port)) {
  impl_->session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  impl_->session.sendRequest(req);
  impl_->in = &impl_->session.receiveResponse(impl_->response);
  status_ = static_cast<int>(impl_->response.getStatus());
  content_type_ = impl_->response.getContentType();
}

SseClient::~SseClient() = default;

std::optional<SseEvent> SseClient::next() {
  SseEvent ev;
  bool has_data = false;
  std::string line;
  try {
    while (std::getline(*impl_->in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) {
        if (!has_data) continue;  // the retry: line, keep-alive comments
        ev.arrived = std::chrono::steady_clock::now();
        return ev;
      }
      if (line[0] == ':') continue;
      auto colon = line.find(':');
      std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      if (field == "data") {
        ev.data += (has_data ? "\n" : "") + value;
        has_data = true;
      } else if (field == "event") {
        ev.type = value;
      } else if (field == "id") {
        ev.id = value;
      }
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace steward::test
