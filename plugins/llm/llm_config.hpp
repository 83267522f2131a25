// The llm plugin's configuration: its plugin_config object completed and overridden by
// the STEWARD_LLM_* environment variables. Precedence, highest first:
//   base_url: STEWARD_LLM_BASE_URL, then "base_url"
//   model:    STEWARD_LLM_MODEL, then "model"
//   api key:  STEWARD_LLM_API_KEY, then the variable named by "api_key_env", then "api_key"
// (empty variables count as unset).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace llm_plugin {

struct LlmConfig {
  std::string base_url;     // normalized, no trailing '/'; empty: not configured
  std::string model;        // empty: none sent
  std::string api_key;      // empty: no Authorization header. Never shown anywhere.
  std::string key_source;   // where the key came from, for messages ("STEWARD_LLM_API_KEY", ...)
  int timeout_s = 120;
  std::optional<int> max_tokens;
  std::string system_prompt;
};

using GetEnv = std::function<const char*(const char*)>;

// Throws std::runtime_error naming the field and the reason on bad configuration.
LlmConfig load_config(std::string_view config_json, const GetEnv& getenv);

// Checks an http(s) base URL and returns it without a trailing '/'. Throws
// std::runtime_error("<what>: ...") when it is unusable.
std::string normalize_base_url(const std::string& url, const std::string& what);

// The endpoint for display: scheme://host[:port]/path (no credentials by construction).
std::string chat_url(const std::string& base_url);

// `text` with every occurrence of `secret` replaced by "[redacted]".
std::string redact(std::string text, const std::string& secret);

}  // namespace llm_plugin
