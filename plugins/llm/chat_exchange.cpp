#include "chat_exchange.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>

#include "llm_config.hpp"

namespace llm_plugin {

namespace {

constexpr size_t kMaxBody = 16 * 1024 * 1024;  // a chat answer is far smaller; a runaway server is not
constexpr int kMaxConnectS = 10;               // cancellation is not noticed while connecting

// One client context for every https request: system CA store, peer verification.
Poco::Net::Context::Ptr tls_context() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9,
                                     true);
  });
  return context;
}

// Reads through the stream buffer directly: underflow returns whatever the socket has,
// so lines come out as soon as they arrive, and Poco's exceptions reach our catch.
bool read_line(std::streambuf& in, std::string& line, size_t& total) {
  line.clear();
  for (;;) {
    int c = in.sbumpc();
    if (c == std::char_traits<char>::eof()) return !line.empty();
    if (++total > kMaxBody) throw std::runtime_error("the server's answer is larger than 16 MiB");
    if (c == '\n') return true;
    line += static_cast<char>(c);
  }
}

std::string read_body(std::streambuf& in) {
  std::string body;
  char buf[8192];
  for (;;) {
    std::streamsize got = in.sgetn(buf, sizeof buf);
    if (got <= 0) break;
    body.append(buf, static_cast<size_t>(got));
    if (body.size() > kMaxBody) throw std::runtime_error("the server's answer is larger than 16 MiB");
  }
  return body;
}

}  // namespace

ChatExchange::ChatExchange(ExchangeRequest request) : request_(std::move(request)) {
  worker_ = std::thread([this] { work(); });
}

ChatExchange::~ChatExchange() {
  if (worker_.joinable()) {
    abort();
    worker_.join();
  }
}

void ChatExchange::abort() {
  aborted_ = true;
  int fd = fd_.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

void ChatExchange::publish_socket(int fd) {
  fd_ = fd;
  // abort() may have run before the socket existed: then it is ours to shut down.
  if (aborted_) ::shutdown(fd, SHUT_RDWR);
}

void ChatExchange::push(std::string delta) {
  if (delta.empty()) return;
  std::lock_guard lock(mutex_);
  deltas_.push_back(std::move(delta));
  changed_.notify_all();
}

ChatExchange::Batch ChatExchange::next(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [this] { return finished_ || !deltas_.empty(); });
  Batch b;
  b.deltas.assign(std::make_move_iterator(deltas_.begin()), std::make_move_iterator(deltas_.end()));
  deltas_.clear();
  b.finished = finished_;
  return b;
}

void ChatExchange::work() {
  std::string error;
  try {
    exchange();
  } catch (const Poco::Net::ConnectionRefusedException&) {
    Poco::URI uri(request_.base_url);
    error = "connection refused by " + uri.getHost() + ":" + std::to_string(uri.getPort()) +
            " (is the server running?)";
  } catch (const Poco::TimeoutException&) {
    error = "the server sent nothing for " + std::to_string(request_.timeout_s + 5) + " s (socket timeout)";
  } catch (const Poco::Net::HostNotFoundException& e) {
    error = "cannot resolve the host (" + e.message() + ")";
  } catch (const Poco::Net::NoAddressFoundException& e) {
    error = "cannot resolve the host (" + e.message() + ")";
  } catch (const Poco::Net::SSLException& e) {
    error = "TLS error: " + e.displayText();
  } catch (const Poco::Exception& e) {
    error = e.displayText();
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::lock_guard lock(mutex_);
  error_ = error;
  finished_ = true;
  changed_.notify_all();
}

void ChatExchange::exchange() {
  const std::string url = chat_url(request_.base_url);
  Poco::URI uri(url);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https")
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tls_context());
  else
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  // The run's thread enforces timeout_s on the whole exchange; the socket timeouts are a
  // little longer so that its clearer message wins and they only guard against a lost wakeup.
  const Poco::Timespan io(request_.timeout_s + 5, 0);
  session->setTimeout(Poco::Timespan(std::min(request_.timeout_s, kMaxConnectS), 0), io, io);
  session->setKeepAlive(false);

  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(request_.body.size()));
  req.set("Accept", request_.stream ? "text/event-stream" : "application/json");
  req.set("User-Agent", "steward-llm/1.0");
  if (!request_.api_key.empty()) req.setCredentials("Bearer", request_.api_key);

  std::ostream& out = session->sendRequest(req);  // connects
  publish_socket(session->socket().impl()->sockfd());
  out << request_.body;
  out.flush();

  Poco::Net::HTTPResponse response;
  std::streambuf& in = *session->receiveResponse(response).rdbuf();
  const int status = static_cast<int>(response.getStatus());
  if (status < 200 || status > 299) {
    std::string body = read_body(in);
    throw std::runtime_error("HTTP " + std::to_string(status) + " " + response.getReason() + " from " + url + ": " +
                             error_message(body));
  }

  const bool sse = response.getContentType().rfind("text/event-stream", 0) == 0;
  if (!sse) {  // also when a server ignores "stream": true and answers at once
    completion_ = parse_completion(read_body(in));
    push(completion_.content);
    return;
  }

  SseDecoder decoder;
  Completion so_far;
  bool done = false;
  std::string line;
  size_t total = 0;
  while (!done && !aborted_) {
    std::optional<std::string> event;
    if (read_line(in, line, total)) {
      event = decoder.line(line);
    } else {
      event = decoder.finish();
      if (!event) break;  // end of stream
    }
    if (event) push(apply_stream_event(*event, so_far, done));
  }
  if (!done && !so_far.finish_reason && !aborted_)
    throw std::runtime_error("the server's stream ended before the answer was complete (no finish_reason or [DONE])");
  completion_ = std::move(so_far);
}

}  // namespace llm_plugin
