#include "llm_config.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>

namespace llm_plugin {

using nlohmann::json;

std::string normalize_base_url(const std::string& url, const std::string& what) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error(what + ": '" + url + "' is not a URL (" + e.message() + ")");
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https")
    throw std::runtime_error(what + ": '" + url + "' must start with http:// or https://");
  if (uri.getHost().empty()) throw std::runtime_error(what + ": '" + url + "' has no host");
  // Poco would not send them, and they would end up in messages: keys go in api_key.
  if (!uri.getUserInfo().empty())
    throw std::runtime_error(what + ": credentials in the URL are not supported; use api_key or api_key_env");
  if (!uri.getRawQuery().empty() || !uri.getFragment().empty())
    throw std::runtime_error(what + ": '" + url + "' must not have a query or fragment");
  std::string out = url;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string chat_url(const std::string& base_url) { return base_url + "/chat/completions"; }

std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]");
  return text;
}

namespace {

std::string string_field(const json& c, const char* name) {
  if (!c.contains(name)) return {};
  if (!c[name].is_string()) throw std::runtime_error(std::string("llm config: ") + name + " must be a string");
  return c[name].get<std::string>();
}

int int_field(const json& c, const char* name, int min, int max, int fallback) {
  if (!c.contains(name)) return fallback;
  const json& v = c[name];
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max)
    throw std::runtime_error(std::string("llm config: ") + name + " must be an integer from " + std::to_string(min) +
                             " to " + std::to_string(max));
  return v.get<int>();
}

std::string env_value(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

LlmConfig load_config(std::string_view config_json, const GetEnv& getenv) {
  json c = json::parse(config_json.empty() ? std::string_view("{}") : config_json, nullptr, false);
  if (c.is_discarded() || !c.is_object()) throw std::runtime_error("llm config: must be a JSON object");
  static const std::set<std::string> kKnown = {"base_url", "model",     "api_key",      "api_key_env",
                                               "timeout_s", "max_tokens", "system_prompt"};
  for (const auto& [key, _] : c.items())
    if (!kKnown.count(key))
      throw std::runtime_error("llm config: unknown field '" + key +
                               "' (known: base_url, model, api_key, api_key_env, timeout_s, max_tokens, system_prompt)");

  LlmConfig cfg;
  if (std::string env = env_value(getenv, "STEWARD_LLM_BASE_URL"); !env.empty()) {
    cfg.base_url = normalize_base_url(env, "STEWARD_LLM_BASE_URL");
  } else if (std::string url = string_field(c, "base_url"); !url.empty()) {
    cfg.base_url = normalize_base_url(url, "llm config: base_url");
  }

  cfg.model = env_value(getenv, "STEWARD_LLM_MODEL");
  if (cfg.model.empty()) cfg.model = string_field(c, "model");

  const std::string key_env = string_field(c, "api_key_env");
  if (c.contains("api_key_env") && !std::regex_match(key_env, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
    throw std::runtime_error("llm config: api_key_env must be an environment variable name, not '" + key_env + "'");
  if (std::string env = env_value(getenv, "STEWARD_LLM_API_KEY"); !env.empty()) {
    cfg.api_key = env;
    cfg.key_source = "STEWARD_LLM_API_KEY";
  } else if (!key_env.empty()) {
    cfg.api_key = env_value(getenv, key_env.c_str());
    if (cfg.api_key.empty())
      throw std::runtime_error("llm config: api_key_env names " + key_env + ", which is not set or empty");
    cfg.key_source = key_env;
  } else {
    cfg.api_key = string_field(c, "api_key");
    if (!cfg.api_key.empty()) cfg.key_source = "api_key in the plugin config";
  }

  cfg.timeout_s = int_field(c, "timeout_s", 1, 3600, 120);
  if (c.contains("max_tokens")) cfg.max_tokens = int_field(c, "max_tokens", 1, 1000000, 0);
  cfg.system_prompt = string_field(c, "system_prompt");
  return cfg;
}

}  // namespace llm_plugin
