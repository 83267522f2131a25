// The `llm` tool: one prompt to an OpenAI-compatible chat-completions endpoint (llama.cpp
// server, Ollama, vLLM, hosted services). The answer streams into the run's output token
// by token; the result holds the whole content, model, finish_reason and usage.
// The API key is only ever put in the Authorization header: every error message this tool
// produces passes through redact() in case a server echoes the key back.
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <steward/plugin.hpp>

#include "chat_exchange.hpp"
#include "llm_config.hpp"
#include "openai_protocol.hpp"

namespace llm_plugin {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kPoll = std::chrono::milliseconds(100);  // cancellation latency bound

const char* kSchema = R"json({
  "type": "object",
  "required": ["prompt"],
  "additionalProperties": false,
  "properties": {
    "prompt": {"type": "string", "minLength": 1, "maxLength": 1048576,
               "description": "The user message sent to the model"},
    "system": {"type": "string", "maxLength": 1048576,
               "description": "System message for this request (default: the configured system_prompt; an empty string sends none)"},
    "model": {"type": "string", "minLength": 1, "maxLength": 256,
              "description": "Model name (default: the configured model, or STEWARD_LLM_MODEL; when neither is set no model is sent and the server uses its own)"},
    "max_tokens": {"type": "integer", "minimum": 1, "maximum": 1000000,
                   "description": "Upper bound on generated tokens (default: the configured max_tokens, else the server's)"},
    "temperature": {"type": "number", "minimum": 0, "maximum": 2,
                    "description": "Sampling temperature (default: the server's)"},
    "stream": {"type": "boolean", "default": true,
               "description": "Stream the answer token by token into the output (Server-Sent Events); false waits for the whole answer"},
    "timeout_s": {"type": "integer", "minimum": 1, "maximum": 3600,
                  "description": "Seconds the whole request may take (default: the configured timeout_s, 120)"}
  }
})json";

class LlmTool {
 public:
  LlmTool(const steward::Host&, std::string_view config_json)
      : config_(load_config(config_json, [](const char* name) { return std::getenv(name); })) {}

  steward_rc run(steward::Run& run, std::string_view args_text) {
    if (config_.base_url.empty())
      return run.fail(
          "llm: no endpoint configured: set \"base_url\" in the llm plugin config (--plugin-config FILE with "
          "{\"llm\": {\"base_url\": \"http://127.0.0.1:8080/v1\"}}) or the STEWARD_LLM_BASE_URL environment variable");
    json args = json::parse(args_text);
    ChatParams p;
    p.prompt = args.at("prompt").get<std::string>();
    if (p.prompt.empty()) return run.fail("prompt: must not be empty");
    p.system = args.contains("system") ? args["system"].get<std::string>() : config_.system_prompt;
    p.model = args.contains("model") ? args["model"].get<std::string>() : config_.model;
    if (args.contains("max_tokens")) p.max_tokens = args["max_tokens"].get<int>();
    else p.max_tokens = config_.max_tokens;
    if (args.contains("temperature")) p.temperature = args["temperature"].get<double>();
    p.stream = args.value("stream", true);
    const int timeout_s = args.value("timeout_s", config_.timeout_s);
    if (timeout_s < 1 || timeout_s > 3600) return run.fail("timeout_s: must be from 1 to 3600");

    ExchangeRequest req{config_.base_url, request_body(p).dump(), config_.api_key, p.stream, timeout_s};
    const std::string url = chat_url(config_.base_url);
    auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
    bool cancelled = false, timed_out = false;
    std::string error;
    Completion answer;
    {
      ChatExchange exchange(std::move(req));
      for (;;) {
        ChatExchange::Batch batch = exchange.next(kPoll);
        for (const std::string& delta : batch.deltas)
          if (!cancelled && !run.output(delta)) cancelled = true;
        if (batch.finished && !cancelled) {
          error = exchange.error();
          answer = exchange.completion();
          break;
        }
        if (!cancelled && run.cancelled()) cancelled = true;
        if (!cancelled && Clock::now() >= deadline) timed_out = true;
        if (cancelled || timed_out) {
          exchange.abort();
          break;
        }
      }
    }  // joins the worker

    if (cancelled) return STEWARD_CANCELLED;
    if (timed_out)
      return run.fail("llm: no complete answer from " + url + " within " + std::to_string(timeout_s) +
                      " s (timeout_s)");
    if (!error.empty()) return run.fail(redact("llm: " + error, config_.api_key));

    json result = {{"model", answer.model.empty() ? p.model : answer.model},
                   {"content", answer.content},
                   {"finish_reason", answer.finish_reason ? json(*answer.finish_reason) : json(nullptr)}};
    if (!answer.usage.is_null()) result["usage"] = answer.usage;
    run.result(result.dump());
    return STEWARD_OK;
  }

 private:
  LlmConfig config_;
};

}  // namespace
}  // namespace llm_plugin

STEWARD_TOOL_PLUGIN(llm_plugin::LlmTool, "llm", "1.0.0",
                    "Sends a prompt to an OpenAI-compatible chat-completions endpoint and streams the answer",
                    llm_plugin::kSchema)
