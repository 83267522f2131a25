// The OpenAI chat-completions wire format, without I/O: the request body, a non-streamed
// answer, a streamed answer's Server-Sent Events, and error bodies. Pure, so the HTTP side
// (chat_exchange.cpp) only moves bytes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llm_plugin {

struct ChatParams {
  std::string prompt;
  std::string system;  // empty: no system message
  std::string model;   // empty: the field is left out (llama.cpp serves its one model)
  std::optional<int> max_tokens;
  std::optional<double> temperature;
  bool stream = true;
};
nlohmann::json request_body(const ChatParams& p);

// What an answer amounts to, streamed or not.
struct Completion {
  std::string content;
  std::string model;
  std::optional<std::string> finish_reason;
  nlohmann::json usage;  // null when the server sent none
};

// A non-streamed answer: choices[0].message.content. Throws std::runtime_error with a
// clear reason when the body is not such an answer (malformed JSON, an "error" object).
Completion parse_completion(std::string_view body);

// The human part of an error body: error.message, error (a string), message or detail;
// otherwise the body itself, shortened. Never throws.
std::string error_message(std::string_view body);

// Splits an SSE byte stream into events' data (the "data:" lines of one event joined by
// '\n'); comments, "event:", "id:" and "retry:" fields are ignored, as the SSE spec says.
class SseDecoder {
 public:
  // Feeds one line (without its '\n'; a trailing '\r' is dropped). Returns the event's
  // data when this line completes an event (a blank line).
  std::optional<std::string> line(std::string_view text);
  // At the end of the stream: the data of an event the server did not finish with a blank line.
  std::optional<std::string> finish();

 private:
  std::string data_;
  bool has_data_ = false;
};

// Applies one streamed event's data to the answer so far. Returns the content delta (may
// be empty). Sets `done` on "[DONE]". Throws std::runtime_error on malformed JSON or an
// "error" object sent mid-stream.
std::string apply_stream_event(const std::string& data, Completion& so_far, bool& done);

// `text` cut to `max` bytes with "..." appended when longer: for quoting server bodies.
std::string shorten(std::string_view text, size_t max = 300);

}  // namespace llm_plugin
