// One HTTP POST to {base_url}/chat/completions, on a worker thread (Poco's blocking I/O),
// handing content deltas to the run's thread as they arrive. The run's thread alone talks
// to the host (output, cancellation); to stop early it calls abort(), which shuts the
// socket down so the worker's blocking read returns at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "openai_protocol.hpp"

namespace llm_plugin {

struct ExchangeRequest {
  std::string base_url;  // normalized (llm_config.hpp)
  std::string body;      // JSON text
  std::string api_key;   // empty: no Authorization header
  bool stream = true;
  int timeout_s = 120;
};

class ChatExchange {
 public:
  explicit ChatExchange(ExchangeRequest request);  // starts the worker
  ~ChatExchange();                                 // aborts if still running, joins
  ChatExchange(const ChatExchange&) = delete;
  ChatExchange& operator=(const ChatExchange&) = delete;

  struct Batch {
    std::vector<std::string> deltas;
    bool finished = false;  // the worker is done: outcome() is final
  };
  // Waits at most `wait` for deltas or the end.
  Batch next(std::chrono::milliseconds wait);
  // Stops the exchange: the worker's pending I/O fails and its error is ignored.
  void abort();

  // Valid once a Batch said finished. Empty error: `completion` is the answer.
  const std::string& error() const { return error_; }
  const Completion& completion() const { return completion_; }

 private:
  void work();
  void exchange();
  void push(std::string delta);
  void publish_socket(int fd);

  ExchangeRequest request_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> deltas_;
  bool finished_ = false;
  std::atomic<bool> aborted_{false};
  std::atomic<int> fd_{-1};
  std::string error_;
  Completion completion_;
  std::thread worker_;
};

}  // namespace llm_plugin
