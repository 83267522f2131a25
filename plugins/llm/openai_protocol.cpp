#include "openai_protocol.hpp"

#include <stdexcept>

namespace llm_plugin {

using nlohmann::json;

json request_body(const ChatParams& p) {
  json messages = json::array();
  if (!p.system.empty()) messages.push_back({{"role", "system"}, {"content", p.system}});
  messages.push_back({{"role", "user"}, {"content", p.prompt}});
  json body = {{"messages", messages}, {"stream", p.stream}};
  if (!p.model.empty()) body["model"] = p.model;
  if (p.max_tokens) body["max_tokens"] = *p.max_tokens;
  if (p.temperature) body["temperature"] = *p.temperature;
  return body;
}

std::string shorten(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...";
}

namespace {

// The message of an "error" member: {"message": ...} (OpenAI, llama.cpp, vLLM) or a plain
// string (Ollama's native errors).
std::optional<std::string> error_member(const json& j) {
  if (!j.is_object() || !j.contains("error")) return std::nullopt;
  const json& e = j["error"];
  if (e.is_string()) return e.get<std::string>();
  if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
  return shorten(e.dump());
}

}  // namespace

std::string error_message(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto m = error_member(j)) return *m;
    for (const char* key : {"message", "detail"})
      if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  }
  std::string trimmed(body);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
    trimmed.pop_back();
  return trimmed.empty() ? "(empty body)" : shorten(trimmed);
}

Completion parse_completion(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::runtime_error("malformed JSON in the server's answer: " + shorten(body, 200));
  if (auto m = error_member(j)) throw std::runtime_error("the server answered with an error: " + *m);
  if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty() || !j["choices"][0].is_object())
    throw std::runtime_error("the server's answer has no choices[0]: " + shorten(body, 200));
  const json& choice = j["choices"][0];
  if (!choice.contains("message") || !choice["message"].is_object())
    throw std::runtime_error("the server's answer has no choices[0].message: " + shorten(body, 200));
  Completion c;
  const json& content = choice["message"].value("content", json());
  if (content.is_string()) c.content = content.get<std::string>();
  else if (!content.is_null()) throw std::runtime_error("choices[0].message.content is not a string");
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    c.finish_reason = choice["finish_reason"].get<std::string>();
  if (j.contains("model") && j["model"].is_string()) c.model = j["model"];
  if (j.contains("usage") && j["usage"].is_object()) c.usage = j["usage"];
  return c;
}

std::optional<std::string> SseDecoder::line(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.empty()) {
    if (!has_data_) return std::nullopt;
    std::string out = std::move(data_);
    data_.clear();
    has_data_ = false;
    return out;
  }
  if (text.front() == ':') return std::nullopt;  // a comment (keep-alive)
  size_t colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) data_ += '\n';
    data_ += value;
    has_data_ = true;
  }
  return std::nullopt;
}

std::optional<std::string> SseDecoder::finish() { return line(""); }

std::string apply_stream_event(const std::string& data, Completion& so_far, bool& done) {
  if (data == "[DONE]") {
    done = true;
    return {};
  }
  json j = json::parse(data, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::runtime_error("malformed event in the server's stream (not a JSON object): " + shorten(data, 200));
  if (auto m = error_member(j)) throw std::runtime_error("the server reported an error mid-stream: " + *m);
  if (j.contains("model") && j["model"].is_string()) so_far.model = j["model"];
  if (j.contains("usage") && j["usage"].is_object()) so_far.usage = j["usage"];
  if (!j.contains("choices")) return {};
  if (!j["choices"].is_array())
    throw std::runtime_error("malformed event in the server's stream (choices is not an array): " + shorten(data, 200));
  if (j["choices"].empty()) return {};  // e.g. the final usage-only chunk
  const json& choice = j["choices"][0];
  if (!choice.is_object())
    throw std::runtime_error("malformed event in the server's stream (choices[0] is not an object): " + shorten(data, 200));
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    so_far.finish_reason = choice["finish_reason"].get<std::string>();
  std::string delta;
  if (choice.contains("delta") && choice["delta"].is_object()) {
    const json& content = choice["delta"].value("content", json());
    if (content.is_string()) delta = content.get<std::string>();
  }
  so_far.content += delta;
  return delta;
}

}  // namespace llm_plugin
