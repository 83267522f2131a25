#include "app/agent/pair_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <iterator>
#include <nlohmann/json.hpp>

namespace steward::agent {

using nlohmann::json;

namespace {

// The daemon's error body is {"error": {"code", "message"}}; anything else is shown raw.
std::string error_message(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    std::string code = e.value("code", ""), message = e.value("message", "");
    if (!code.empty() && !message.empty()) return message + " (" + code + ")";
    if (!message.empty()) return message;
    if (!code.empty()) return code;
  }
  return body.size() > 300 ? body.substr(0, 300) + "…" : body;
}

std::string string_field(const json& j, const char* field) {
  if (!j.contains(field) || !j[field].is_string() || j[field].get<std::string>().empty())
    throw PairError(std::string("the daemon's pairing answer has no '") + field + "'", 201);
  return j[field].get<std::string>();
}

}  // namespace

PairAnswer claim_pairing(const PairRequest& r) {
  const std::string where = r.host + ":" + std::to_string(r.port);
  json body = r.facts.to_json();
  body["code"] = r.code;
  body["name"] = r.name.empty() ? r.facts.hostname : r.name;
  const std::string text = body.dump();

  int status = 0;
  std::string answer;
  std::string retry_after;
  try {
    Poco::Net::HTTPClientSession session(r.host, static_cast<Poco::UInt16>(r.port));
    session.setTimeout(Poco::Timespan(static_cast<long>(r.timeout.count()), 0));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/api/devices/pair/claim",
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(text.size()));
    session.sendRequest(req) << text;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    answer.assign(std::istreambuf_iterator<char>(in), {});
    status = static_cast<int>(resp.getStatus());
    retry_after = resp.get("Retry-After", "");
  } catch (const Poco::Exception& e) {
    throw PairError("cannot reach the daemon at " + where + ": " + e.displayText());
  } catch (const std::exception& e) {
    throw PairError("cannot reach the daemon at " + where + ": " + e.what());
  }

  if (status == 201) {
    json j = json::parse(answer, nullptr, false);
    if (!j.is_object()) throw PairError("the daemon at " + where + " answered 201 without a JSON object", status);
    PairAnswer a;
    a.device_id = string_field(j, "device_id");
    a.token = string_field(j, "token");
    a.status = string_field(j, "status");
    a.ws_url = string_field(j, "ws_url");
    if (j.contains("device_port") && j["device_port"].is_number_integer()) a.device_port = j["device_port"].get<int>();
    return a;
  }

  std::string message = "the daemon at " + where + " refused the pairing: HTTP " + std::to_string(status) + ": " +
                        error_message(answer);
  int retry_after_s = 0;
  if (status == 429 && !retry_after.empty()) {
    try {
      retry_after_s = std::stoi(retry_after);
    } catch (const std::exception&) {
      retry_after_s = 0;  // an HTTP-date: shown as is below
    }
    message += "; retry after " + retry_after + (retry_after_s > 0 ? " s" : "");
  }
  throw PairError(message, status, retry_after_s);
}

}  // namespace steward::agent
